"""The queue puts safeguarding and overdue work first, then the rest by due date."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event

from portal.extensions import db
from tests.cases import make_case
from tests.helpers import Page, PageClient, today
from tests.officers import Account


def references(page: Page) -> list[str]:
    return [
        link.get_text(strip=True) for link in page.soup.select("table.portal-queue tbody tr td:first-child a")
    ]


def test_safeguarding_and_overdue_cases_come_first_then_by_due_date(
    app: Flask, officer_client: PageClient
) -> None:
    later = make_case(app, due_by=today() + timedelta(days=9))
    sooner = make_case(app, due_by=today() + timedelta(days=2))
    overdue = make_case(app, due_by=today() - timedelta(days=1))
    contacted = make_case(
        app, due_by=today() - timedelta(days=3), first_contact_on=today() - timedelta(days=4)
    )
    safeguarding = make_case(app, due_by=today() + timedelta(days=5), flags=["safeguarding"])

    page = officer_client.get("/officer/")

    assert references(page) == [overdue, safeguarding, contacted, sooner, later]
    assert "Overdue" in page.soup.select("tbody tr")[0].get_text()
    assert "Overdue" not in page.soup.select("tbody tr")[2].get_text(), "first contact stops the clock"


def test_tabs_show_each_route_with_its_count(app: Flask, officer_client: PageClient) -> None:
    make_case(app, route="mediation")
    make_case(app, route="tasking")
    make_case(app, route="tasking")
    make_case(app, route="tasking", status="closed", outcome="resolved")
    page = officer_client.get("/officer/?tab=tasking")
    tabs = {a.get_text(" ", strip=True) for a in page.soup.select(".portal-tabs__link")}
    assert tabs == {"Mediation 1", "Target hardening 0", "Tasking 2", "All 3"}
    assert len(references(page)) == 2


def test_a_re_routed_case_moves_tab(app: Flask, officer_client: PageClient) -> None:
    moved = make_case(app, route="mediation", current_route="tasking")
    assert references(officer_client.get("/officer/?tab=tasking")) == [moved]
    assert references(officer_client.get("/officer/?tab=mediation")) == []


def test_filters_narrow_the_queue(app: Flask, officer: Account, officer_client: PageClient) -> None:
    high = make_case(app, risk_level="high", ward="Eckington North")
    mine = make_case(app, assignee_id=officer.id)
    hate = make_case(app, flags=["hate_incident"])
    awaiting = make_case(app, status="awaiting_resident")
    closed = make_case(app, status="closed", outcome="resolved")

    def shown(query: str) -> set[str]:
        return set(references(officer_client.get(f"/officer/?{query}")))

    assert shown("risk_level=high") == {high}
    assert shown("ward=Eckington+North") == {high}
    assert shown("assignee=mine") == {mine}
    assert shown(f"assignee={officer.id}") == {mine}
    assert mine not in shown("assignee=unassigned")
    assert shown("flag=hate_incident") == {hate}
    assert shown("status=awaiting_resident") == {awaiting}
    assert shown("status=closed") == {closed}
    assert closed not in shown(""), "the queue shows open cases unless asked"


def test_search_finds_by_reference_postcode_name_and_email(app: Flask, officer_client: PageClient) -> None:
    target = make_case(
        app,
        postcode="S42 6NG",
        reporter_name="Priya Patel",
        name_key="priya patel",
        reporter_email="Priya@Example.org",
        email_key="priya@example.org",
    )
    make_case(app)

    def found(text: str) -> list[str]:
        return references(officer_client.get("/officer/", query_string={"q": text}))

    assert found(target.lower()) == [target]
    assert found("s426ng") == [target]
    assert found("Priya") == [target]
    assert found("PRIYA@example.org ") == [target]
    assert found("Nobody") == []


def test_the_queue_pages_by_keyset_50_at_a_time(app: Flask, officer_client: PageClient) -> None:
    made = [make_case(app, due_by=today() + timedelta(days=i % 30)) for i in range(120)]
    statements: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", capture)
    try:
        seen: list[str] = []
        page = officer_client.get("/officer/")
        pages = 0
        while True:
            pages += 1
            rows = references(page)
            assert len(rows) == (50 if pages < 3 else 20)
            seen += rows
            following = page.soup.find("a", rel="next")
            if following is None:
                break
            page = officer_client.get(following["href"])
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", capture)
    assert pages == 3
    assert sorted(seen) == sorted(made) and len(set(seen)) == 120
    # No page skips rows: SQLite's compiler always writes "OFFSET ?", and it must be 0.
    for statement, parameters in statements:
        if "OFFSET" in statement.upper():
            assert statement.rstrip().upper().endswith("OFFSET ?") and parameters[-1] == 0, statement


def test_a_mangled_page_link_starts_from_the_beginning(app: Flask, officer_client: PageClient) -> None:
    first = make_case(app)
    assert references(officer_client.get("/officer/?after=garbage.2026-13-45.x")) == [first]


def test_anonymous_visitors_are_sent_to_sign_in(client: PageClient) -> None:
    assert client.get("/officer/").h1 == "Sign in to the back-office"
