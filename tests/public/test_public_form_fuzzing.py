"""Whatever is posted to a resident's form, at whatever stage of a report: never a server error, and never
a report stored only in part.

Each example is a resident who reaches a stage of a real draft the ordinary way, then posts a form of
random field names (the real ones and junk), random values (control characters, huge strings, several
values for one name), with a valid, missing or junk CSRF token. Some then try to send what they have.
After each example every stored report is whole: a reference, its triage decision, its acknowledgement
queued when the resident gave an email and said it is safe, and only reports whose sending succeeded.
"""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import Attachment, Draft, OutboxMessage, Report
from portal.public.journey import PAGES
from tests import factories
from tests.evidence_files import PNG
from tests.helpers import Page, PageClient
from tests.journey import fill_until

# Hypothesis posts many random forms: `make test-fast` leaves this module out.
pytestmark = pytest.mark.fuzz

CHECK_TITLE = "Check your answers before sending your report"
SENT_TITLE = "Report sent"

# Every name a resident's form posts, on any page, for any kind of report.
FIELD_NAMES = sorted(
    {
        "kind",
        "website",
        "continue",
        "upload",
        "files",
        *(name for answers in factories.WHAT.values() for name in answers),
        *(name for answers in factories.DETAILS.values() for name in answers),
        *factories.WHERE,
        *factories.WHEN,
        *factories.IMPACT,
        *factories.about(),
    }
)

# Values a form would accept somewhere, so that examples also get past the checks.
PLAUSIBLE = [
    "yes",
    "no",
    "asb",
    "neighbour_dispute",
    "safety_concern",
    "noise",
    "boundary",
    "burglary_victim",
    "none",
    "feel_unsafe",
    "this_month",
    "weekly",
    "Dronfield North",
    "S18 1AB",
    "sam@example.org",
    "07700 900982",
    "continue",
]

control_text = st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Zs"]), max_size=20)
huge_text = st.builds(
    lambda char, size: char * size,
    st.sampled_from(["x", "\x00", "é", "\u202e", "<", "'"]),
    st.integers(4_001, 120_000),
)
a_value = st.one_of(st.text(max_size=60), control_text, huge_text, st.sampled_from(PLAUSIBLE))
values = st.one_of(a_value, st.lists(a_value, max_size=4))
junk_names = st.text(min_size=1, max_size=20).filter(lambda name: name != "csrf_token")
forms = st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), junk_names), values, max_size=10)
# Mostly the page's own token, so that most examples get past the CSRF check to the form itself.
tokens = st.sampled_from(["valid", "valid", "valid", "valid", None, "junk"]).flatmap(
    lambda token: st.text(max_size=120) if token == "junk" else st.just(token)
)
uploads = st.one_of(
    st.none(),
    st.tuples(st.one_of(st.just(PNG), st.binary(max_size=200)), st.text(max_size=40)),
)

# The stages a draft can be at, and the form posted there.
STAGES = ["start", "start-again", *(page.slug for page in PAGES), "check", "remove-evidence"]
VALID_ANSWERS = {
    "what": lambda kind: factories.WHAT[kind],
    "details": lambda kind: factories.DETAILS[kind],
    "where": lambda kind: factories.WHERE,
    "when": lambda kind: factories.WHEN,
    "impact": lambda kind: factories.IMPACT,
    "evidence": lambda kind: {"continue": "continue"},
    "about-you": lambda kind: factories.about_for(kind),
}

_addresses = itertools.count()


def resident(app: Flask) -> PageClient:
    """Another resident, from an address of their own (the rate limits count per address)."""
    browser = app.test_client()
    number = next(_addresses)
    browser.environ_base["REMOTE_ADDR"] = f"198.51.{100 + number // 250 % 100}.{number % 250 + 1}"
    return PageClient(browser)


def reach(client: PageClient, kind: str, stage: str) -> tuple[str, dict[str, Any]]:
    """Walk the journey to ``stage``; the address to post to there, and its valid answers."""
    if stage == "start":
        return "/report", {"kind": kind}
    if stage == "start-again":
        fill_until(client, kind, stop_before="impact")
        return "/report", {"kind": kind}
    if stage == "check":
        assert fill_until(client, kind).h1 == CHECK_TITLE
        return "/report/check", {}
    if stage == "remove-evidence":
        fill_until(client, kind, stop_before="evidence")
        token = client.get("/report/evidence").csrf_token()
        page = client.post(
            "/report/evidence",
            {"csrf_token": token, "files": (io.BytesIO(PNG), "photo.png"), "upload": "Upload file"},
            content_type="multipart/form-data",
        )
        [form] = [f for f in page.soup.select("form") if str(f.get("action", "")).endswith("/remove")]
        return str(form["action"]), {}
    fill_until(client, kind, stop_before=stage)
    return f"/report/{stage}", VALID_ANSWERS[stage](kind)


def stored_reports_are_whole(app: Flask, sent: int) -> None:
    """Only the reports whose sending succeeded, each with everything a stored report must have."""
    with app.app_context():
        reports = list(db.session.scalars(select(Report)))
        assert len(reports) == sent, f"{len(reports)} reports stored, {sent} sent"
        for report in reports:
            assert re.fullmatch(r"DIO-\d{4}-\d{6}", report.reference), report.reference
            assert report.route and report.rule and report.risk_level and report.due_by, report.reference
            assert report.current_route == report.route and report.policy_version
            assert report.description.strip() and report.draft_token
            assert db.session.get(Draft, report.draft_token) is None, "a sent draft is gone"
            acknowledgements = db.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.report_id == report.id, OutboxMessage.purpose == "acknowledgement"
                )
            ).all()
            assert len(acknowledgements) == (1 if report.can_be_emailed else 0), report.reference
            if acknowledgements:
                assert acknowledgements[0].recipient == report.reporter_email
            for attachment in db.session.scalars(select(Attachment).where(Attachment.report_id == report.id)):
                assert (Path(app.config["UPLOAD_FOLDER"]) / attachment.storage_name).exists()


def post_fuzz(client: PageClient, url: str, data: dict[str, Any], token: Any, upload: Any) -> Page:
    if token == "valid":
        token = client.get("/report/check" if url.endswith("/remove") else url).csrf_token()
    if token is not None:
        data["csrf_token"] = token
    if upload is not None:
        content, name = upload
        data["files"] = (io.BytesIO(content), name)
        return client.post(url, data, content_type="multipart/form-data")
    return client.post(url, data)


@pytest.mark.parametrize("stage", STAGES)
def test_no_form_post_at_any_stage_breaks_the_portal_or_stores_half_a_report(app: Flask, stage: str) -> None:
    sent = [0]

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        kind=st.sampled_from(sorted(factories.WHAT)),
        start_valid=st.booleans(),
        fuzzed=forms,
        token=tokens,
        upload=uploads if stage == "evidence" else st.none(),
        then_send=st.booleans(),
    )
    def example(
        kind: str, start_valid: bool, fuzzed: dict[str, Any], token: Any, upload: Any, then_send: bool
    ) -> None:
        client = resident(app)
        url, valid = reach(client, kind, stage)
        data = {**(valid if start_valid else {}), **fuzzed}
        page = post_fuzz(client, url, data, token, upload)
        if page.h1 != SENT_TITLE and then_send:
            check = client.get("/report/check")
            if check.h1 == CHECK_TITLE:
                page = client.post("/report/check", {"csrf_token": check.csrf_token()})
        if page.h1 == SENT_TITLE:
            sent[0] += 1
        stored_reports_are_whole(app, sent[0])

    example()


def test_a_finished_journey_is_counted_as_one_whole_report(app: Flask) -> None:
    """The check the examples above rely on: a sent report is whole, and counted once."""
    client = resident(app)
    assert fill_until(client, "asb").h1 == CHECK_TITLE
    assert (
        client.post("/report/check", {"csrf_token": client.get("/report/check").csrf_token()}).h1
        == SENT_TITLE
    )
    stored_reports_are_whole(app, 1)
    with pytest.raises(AssertionError, match="1 reports stored, 0 sent"):
        stored_reports_are_whole(app, 0)
