"""The ASB Case Review figures for a financial year, 1 April to 31 March on the Europe/London clock,
counted by the database (portal/cases/case_review_steps.py: figures)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from portal.cases.case_review_steps import Figures, figures
from tests.case_reviews import make_review
from tests.cases import make_case
from tests.reports.test_history_queries import captured_statements


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def review(app: Flask, applied_at: datetime, stage: str = "met", **changes: Any) -> int:
    reference = make_case(app, submitted_at=utc(2026, 1, 5, 10))
    return make_review(app, reference, stage, applied_at=applied_at, **changes)


@pytest.fixture
def year(app: Flask) -> Figures:
    """The year from 1 April 2026, and the applications either side of it."""
    # 23:30 BST on 31 March 2026 is 22:30 UTC: the year before. 00:30 BST on 1 April is 23:30 UTC
    # on 31 March: this year. And the same at the year's other end.
    review(app, utc(2026, 3, 31, 22, 30), "not_met", channel="phone")
    review(
        app,
        utc(2026, 3, 31, 23, 30),
        "outcome_sent",
        channel="online",
        decision_due=date(2026, 4, 15),
        decided_at=utc(2026, 4, 15, 22, 30),  # 23:30 BST on the day it was due: on time
        review_due=date(2026, 5, 20),
        meeting_on=date(2026, 5, 20),
        outcome_due=date(2026, 5, 28),
        outcome_sent_on=date(2026, 5, 28),
    )
    review(
        app,
        utc(2026, 6, 1, 9),
        "escalation_decided",
        channel="paper",
        applicant="councillor",
        decision_due=date(2026, 6, 10),
        decided_at=utc(2026, 6, 10, 23, 30),  # 00:30 BST on the 11th: a day late
        review_due=date(2026, 7, 1),
        meeting_on=date(2026, 7, 3),
        outcome_due=date(2026, 7, 10),
        outcome_sent_on=date(2026, 7, 14),
        escalated_on=date(2026, 8, 1),
        escalation_result="partly_upheld",
        escalation_decided_on=date(2026, 9, 1),
    )
    review(
        app,
        utc(2026, 12, 1, 9),
        "escalated",
        channel="email",
        applicant="family",
        threshold_met=False,
        decision_due=date(2026, 12, 10),
        decided_at=utc(2026, 12, 10, 23, 30),  # 23:30 GMT on the day it was due: on time
        escalated_on=date(2027, 3, 31),  # the year's last day
    )
    review(app, utc(2027, 3, 31, 22, 30), "applied", channel="online")  # 23:30 BST, 31 March: this year
    review(
        app,
        utc(2027, 3, 31, 23, 30),  # 00:30 BST on 1 April 2027: next year
        "review_held",
        channel="in_person",
        meeting_on=date(2027, 4, 1),
        escalated_on=None,
    )
    review(app, utc(2026, 10, 1, 9), "review_held", meeting_on=date(2027, 3, 31), review_due=date(2027, 3, 1))
    with app.app_context():
        return figures(2026)


def test_the_year_runs_from_1_april_to_31_march(year: Figures) -> None:
    assert (year.starts, year.ends) == (date(2026, 4, 1), date(2027, 3, 31))
    assert year.title == "1 April 2026 to 31 March 2027"


def test_applications_are_counted_by_the_london_day_they_were_made(year: Figures) -> None:
    assert year.applications == 5
    assert dict(year.by_channel) == {
        "Online": 3,
        "Phone": 0,
        "Letter or paper form": 1,
        "Email": 1,
        "In person": 0,
    }
    assert dict(year.by_applicant)["The victim"] == 3
    assert dict(year.by_applicant)["A councillor"] == 1
    assert dict(year.by_applicant)["A family member"] == 1


def test_the_threshold_of_the_years_applications(year: Figures) -> None:
    assert year.threshold == [("Threshold met", 3), ("Threshold not met", 1), ("Not decided yet", 1)]
    assert year.decided == 4


def test_a_decision_is_on_time_until_midnight_in_london_on_the_day_it_was_due(year: Figures) -> None:
    # 23:30 BST and 23:30 GMT on the day are on time, and 00:30 BST the next day is not; the fourth
    # decision (made a day after the application, well before its day) is on time.
    assert year.decided_on_time == 3


def test_meetings_letters_and_escalations_are_counted_by_the_day_they_happened(year: Figures) -> None:
    assert (year.reviews_held, year.reviews_held_on_time) == (3, 1)
    assert (year.outcomes_sent, year.outcomes_on_time) == (2, 1)
    assert year.escalations == 2
    assert dict(year.escalation_results) == {
        "Upheld: the review is to be looked at again": 0,
        "Partly upheld": 1,
        "Not upheld": 0,
        "Not decided yet": 1,
    }


def test_the_csv_rows_hold_every_figure(year: Figures) -> None:
    rows = year.rows()
    assert ("Applications", "All", 5) in rows
    assert ("Threshold decisions", "Decided on time", 3) in rows
    assert ("Outcome letters", "Sent on time", 1) in rows
    assert ("Escalation results", "Partly upheld", 1) in rows


def test_the_figures_are_counted_by_the_database_not_row_by_row(app: Flask) -> None:
    for day in range(1, 5):
        review(app, utc(2026, 5, day, 9))
    with app.app_context(), captured_statements() as few:
        figures(2026)
    for day in range(5, 25):
        review(app, utc(2026, 5, day, 9), decision_due=date(2026, 6, day))
    with app.app_context(), captured_statements() as many:
        counted = figures(2026)
    assert counted.applications == 24
    assert len(many) == len(few), "the same statements however many reviews there are"
