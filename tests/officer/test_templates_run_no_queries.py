"""Templates receive what they show and run no queries: the case page's views build it all.

A template that could call a function that queries would hide the page's queries from its view
and from the query tests; so no include is optional, no context processor of the portal hands a
template a function, and the case page runs none of its queries while it renders.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, before_render_template, template_rendered
from sqlalchemy import event

from portal.extensions import db
from tests.helpers import PageClient
from tests.officer.test_records import (
    a_case,
    camera,
    case_url,
    days,
    hardening,
    mediation,
    parts,
    power,
    record,
)
from tests.officers import Account

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# What the portal's own context processors give every template (portal/__init__.py: the
# council's settings and the policy's numbers; portal/web/security.py: the CSP nonce). Each a value.
CONTEXT = {
    "council_name",
    "council_area",
    "council_phone",
    "council_email",
    "council_address",
    "council_website",
    "service_name",
    "exit_page_url",
    "draft_lifetime_hours",
    "policy_terms",
    "cspNonce",
    "exit_this_page",  # the residents' side: every page offers the exit (portal/public)
}
# The queries a case page with each route's records made, on SQLite and PostgreSQL alike, when its
# template still loaded the records itself (5 of them as it rendered): the page may make fewer.
QUERIES_BEFORE = 15
ROUTES = ("mediation", "target_hardening", "tasking")


def test_no_template_includes_a_template_that_may_be_missing() -> None:
    optional = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if "ignore missing" in path.read_text(encoding="utf-8")
    ]
    assert optional == []


def test_the_portal_s_context_processors_give_templates_values_never_functions(app: Flask) -> None:
    given: dict[str, Any] = {}
    with app.test_request_context("/officer/cases/DIO-2026-000001"):
        for processors in app.template_context_processors.values():
            for processor in processors:
                if processor.__module__.startswith("portal"):
                    given.update(processor())
    assert set(given) == CONTEXT
    assert [name for name, value in given.items() if callable(value)] == []


@contextmanager
def page_queries(app: Flask) -> Iterator[tuple[list[str], list[str]]]:
    """Every statement a request runs, and those run while ``officer/case.html`` renders."""
    every: list[str] = []
    rendering: list[str] = []
    state = {"rendering": False}

    def capture(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        every.append(statement)
        if state["rendering"]:
            rendering.append(statement)

    def started(_app: Flask, template: Any, **_extra: Any) -> None:
        if template.name == "officer/case.html":
            state["rendering"] = True

    def finished(_app: Flask, template: Any, **_extra: Any) -> None:
        if template.name == "officer/case.html":
            state["rendering"] = False

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    before_render_template.connect(started, app)
    template_rendered.connect(finished, app)
    try:
        yield every, rendering
    finally:
        template_rendered.disconnect(finished, app)
        before_render_template.disconnect(started, app)
        event.remove(engine, "before_cursor_execute", capture)


def a_case_with_every_record(app: Flask, officer: Account, client: PageClient, route: str) -> str:
    """A case on ``route`` with each record its page shows made, through the page's own forms."""
    if route == "mediation":
        reference = a_case(app, officer, "neighbour_dispute", "mediation")
        record(client, reference, "mediation", mediation(), "mediation")
    elif route == "target_hardening":
        reference = a_case(app, officer, "safety_concern", "target_hardening")
        record(client, reference, "target-hardening", hardening(), "hardening")
        return reference
    else:
        reference = a_case(app, officer)
        record(
            client, reference, "tasking", {"meeting_date": parts(days(-1)), "decision": "Patrols"}, "tasking"
        )
        action = {
            "action_description": "Letter drop",
            "action_owner": "Rykneld Homes",
            "action_due": parts(days(7)),
        }
        record(client, reference, "actions", action, "action")
        record(client, reference, "cameras", camera(), "camera")
    record(client, reference, "powers", power(), "power")
    return reference


@pytest.mark.parametrize("route", ROUTES)
def test_the_case_page_runs_no_query_while_it_renders_and_no_more_than_before(
    app: Flask, officer: Account, officer_client: PageClient, route: str
) -> None:
    reference = a_case_with_every_record(app, officer, officer_client, route)
    officer_client.get(case_url(reference))  # the first view of a case writes its viewer row

    with page_queries(app) as (every, rendering):
        page = officer_client.get(case_url(reference))

    assert "Records of the work" in page.text()
    assert rendering == []
    assert len(every) <= QUERIES_BEFORE
