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
    tabs = {a.get_text(" ", strip=True) for a in page.soup.select("nav[aria-labelledby=route-tabs-title] a")}
    assert tabs == {"Mediation 1", "Target hardening 0", "Tasking 2", "All 3"}
    assert len(references(page)) == 2
    # Marked as GOV.UK's tabs mark the selected one, and for assistive technology.
    (current,) = page.soup.select("a[aria-current=page].govuk-tabs__tab")
    assert current.get_text(" ", strip=True) == "Tasking 2"
    assert "govuk-tabs__list-item--selected" in current.parent["class"]


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


def applied(page: Page) -> list[str]:
    return [item.get_text(" ", strip=True) for item in page.soup.select(".portal-applied-filters li")]


def test_a_closed_case_is_found_by_its_reference_or_postcode_from_any_tab(
    app: Flask, officer_client: PageClient
) -> None:
    closed = make_case(
        app,
        route="mediation",
        status="closed",
        outcome="resolved",
        postcode="S42 6NG",
        name_key="priya patel",
    )
    make_case(app, route="tasking")

    # The search form sends the status select as it stands ("Open"), from the tasking tab.
    page = officer_client.get("/officer/", query_string={"tab": "tasking", "status": "open", "q": closed})
    assert references(page) == [], "the tasking tab holds no such case"
    tabs = {a.get_text(" ", strip=True) for a in page.soup.select("nav[aria-labelledby=route-tabs-title] a")}
    assert tabs == {"Mediation 1", "Target hardening 0", "Tasking 0", "All 1"}
    # The search form itself starts from every route.
    assert page.soup.select_one("form[role=search] input[name=tab]") is None
    page = officer_client.get("/officer/", query_string={"status": "open", "q": closed.lower()})
    assert references(page) == [closed]
    assert applied(page) == [f"Search: {closed.lower()}", "Status: any"]
    assert "A search by reference or postcode looks at cases of every status." in page.text()
    page = officer_client.get("/officer/", query_string={"status": "open", "q": "s42 6ng"})
    assert references(page) == [closed]
    # A name is not an identifier: the status filter still applies.
    assert references(officer_client.get("/officer/", query_string={"status": "open", "q": "Priya"})) == []


def test_the_page_says_which_filters_are_applied_and_clears_them(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    make_case(app, flags=["hate_incident"], assignee_id=officer.id)
    page = officer_client.get("/officer/")
    assert applied(page) == ["Status: open"]
    assert page.soup.find("a", string="Clear filters") is None, "nothing to clear"

    page = officer_client.get(
        "/officer/?tab=tasking&status=awaiting_resident&risk_level=high&flag=hate_incident"
        f"&ward=Eckington+North&assignee={officer.id}"
    )
    assert references(page) == []
    assert "No cases match the filters applied." in page.text()
    assert applied(page) == [
        "Route: tasking",
        "Status: awaiting resident",
        "Risk: high",
        "Flag: Hate incident",
        "Ward: Eckington North",
        f"Assigned to: {officer.name}",
    ]
    assert page.soup.find("a", string="Download these cases (CSV)") is None, "nothing to download"
    cleared = officer_client.get(page.soup.find("a", string="Clear filters")["href"])
    assert applied(cleared) == ["Status: open"]
    assert len(references(cleared)) == 1
    assert cleared.soup.find("a", string="Download these cases (CSV)") is not None


def test_queue_flags_are_tags_with_their_labels(app: Flask, officer_client: PageClient) -> None:
    make_case(app, flags=["safeguarding", "hate_incident"])
    tags = officer_client.get("/officer/").soup.select("table.portal-queue tbody .govuk-tag")
    labels = {tag.get_text(strip=True): tag["class"] for tag in tags}
    assert "govuk-tag--red" in labels["Safeguarding"]
    assert "Hate incident" in labels
    assert "hate_incident" not in labels and "hate incident" not in labels


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
