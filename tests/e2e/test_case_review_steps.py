"""An officer takes an ASB Case Review whose threshold is met through its steps in a real browser:
the review meeting, a recommendation (added and marked done), the outcome letter, an escalation and
its outcome, each page checked with axe; and a supervisor reads the year's figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask import Flask

from tests.case_reviews import make_review
from tests.cases import make_case
from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer
from tests.e2e.officers import signed_in
from tests.helpers import today
from tests.officers import make_account


def fill_date(tab: CheckedPage, name: str, day: date) -> None:
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        tab.page.fill(f"#{name}-{part}", str(value))


def test_an_officer_records_the_meeting_a_recommendation_the_letter_and_an_escalation(
    journey: Callable[..., CheckedPage], app: Flask
) -> None:
    officer = make_account(app, "officer")
    reference = make_case(app, submitted_at=datetime.now(UTC) - timedelta(days=40), assignee_id=officer.id)
    review_id = make_review(app, reference, "met", applied_at=datetime.now(UTC) - timedelta(days=30))
    base = f"/officer/case-reviews/{review_id}"
    tab = signed_in(journey, app, officer)

    tab.goto(f"{base}/meeting")
    assert tab.h1() == "Record the review meeting"
    tab.button("Save the review meeting")
    assert "Enter the date of the review meeting" in tab.errors()
    fill_date(tab, "meeting_on", today() - timedelta(days=2))
    answer(
        tab.page,
        {
            "chair_name": "Alex Chair",
            "chair_organisation": "Bolsover District Council",
            "agencies_present": ["District council", "Police"],
            "victim_heard": ["invited", "in_writing"],
            "victim_views": "Wants the noise to stop.",
            "findings": "Reports to the council and the police were not joined up.",
        },
    )
    tab.button("Save the review meeting")
    assert "The review meeting has been recorded" in tab.text()

    tab.goto(f"{base}/recommendations")
    answer(tab.page, {"description": "Joint visit by the police and the council", "owner": "Police"})
    fill_date(tab, "due_date", today() + timedelta(days=14))
    tab.button("Add the recommendation")
    assert "The recommendation has been added" in tab.text()
    tab.click(tab.page.get_by_role("button", name="Mark done: Joint visit by the police and the council"))
    assert "The recommendation has been marked done" in tab.text()

    tab.goto(f"{base}/outcome")
    fill_date(tab, "sent_on", today() - timedelta(days=1))
    answer(tab.page, {"summary": "The agencies will share reports and meet monthly."})
    tab.button("Save the outcome letter")
    assert "The outcome letter has been recorded" in tab.text()

    tab.goto(f"{base}/escalation")
    assert "Police and Crime Commissioner" not in tab.text()  # named once escalated
    fill_date(tab, "escalated_on", today())
    answer(tab.page, {"reason": "The police did not attend the meeting."})
    tab.button("Save the escalation")
    assert "The escalation has been recorded" in tab.text()

    tab.goto(f"{base}/escalation-outcome")
    fill_date(tab, "decided_on", today())
    tab.button("Save the escalation's outcome")
    assert tab.errors() == ["Choose the outcome of the escalation"]
    assert tab.page.locator("#decided_on-day").input_value() == str(today().day), "the date is kept"
    answer(tab.page, {"result": "partly_upheld", "note": "The review is to be looked at again."})
    tab.button("Save the escalation's outcome")
    assert "The escalation's outcome has been recorded" in tab.text()


def test_a_supervisor_reads_the_years_figures(journey: Callable[..., CheckedPage], app: Flask) -> None:
    reference = make_case(app, submitted_at=datetime(2026, 4, 20, 9, tzinfo=UTC))
    make_review(app, reference, "not_met", channel="phone", applied_at=datetime(2026, 5, 1, 9, tzinfo=UTC))
    tab = signed_in(journey, app, make_account(app, "supervisor"))
    tab.link("ASB Case Review figures")
    tab.goto("/officer/case-reviews/figures?year=2026")
    assert tab.h1() == "ASB Case Review figures"
    assert tab.page.locator("#threshold").get_by_role("row", name="Threshold not met 1").is_visible()
    answer(tab.page, {"year": "2025"})
    tab.button("Show the figures")
    assert "1 April 2025 to 31 March 2026" in tab.text()
