"""What officers see of the satisfaction question: the timeline says it was sent and what the resident
answered, the case page shows the comment, and the yearly figures count each answer."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import update

from portal.cases import satisfaction
from portal.cases.casefile import case_file
from portal.cases.operations import find_case
from portal.extensions import db
from portal.models import Report
from tests.cases import make_case
from tests.closing import answer, close, question_link
from tests.helpers import PageClient
from tests.officers import Account


def closed_and_answered(
    app: Flask, client: PageClient, supervisor: Account, choice: str | None, comment: str = ""
) -> str:
    reference = make_case(app)
    close(app, reference, supervisor)
    if choice is not None:
        answer(client, question_link(app, reference), choice, comment)
    return reference


def test_the_timeline_says_the_question_was_sent_and_what_the_resident_answered(
    app: Flask, client: PageClient, supervisor: Account
) -> None:
    reference = closed_and_answered(app, client, supervisor, "partly_satisfied", "Better, not gone")
    with app.app_context():
        entries = case_file(find_case(reference)).timeline
    words = [entry.words for entry in entries]
    assert words[:3] == [
        "Resident answered: Partly satisfied",
        "Satisfaction question sent",
        "Closed: resolved",
    ]
    assert entries[0].who is None, "the resident, not an officer"
    assert all("Better, not gone" not in (entry.detail or "") for entry in entries), "the comment stays out"


def test_the_case_page_shows_officers_the_answer_and_the_comment(
    app: Flask, client: PageClient, supervisor: Account, supervisor_client: PageClient
) -> None:
    reference = closed_and_answered(app, client, supervisor, "dissatisfied", "Nobody came back to me.")
    page = supervisor_client.get(f"/officer/cases/{reference}")
    heading = page.soup.find("h2", string="Resident's satisfaction")
    assert heading is not None
    shown = heading.find_next("dl").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert "Answer Dissatisfied" in shown
    assert "Comment Nobody came back to me." in shown
    timeline = page.soup.select_one(".portal-timeline").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert "Resident answered: Dissatisfied" in timeline and "Satisfaction question sent" in timeline


def test_a_question_not_yet_answered_says_so(
    app: Flask, client: PageClient, supervisor: Account, supervisor_client: PageClient
) -> None:
    reference = closed_and_answered(app, client, supervisor, None)
    page = supervisor_client.get(f"/officer/cases/{reference}")
    heading = page.soup.find("h2", string="Resident's satisfaction")
    assert heading is not None
    assert "Answer Not answered" in heading.find_next("dl").get_text(" ", strip=True)  # type: ignore[union-attr]


def test_the_yearly_figures_count_each_answer_for_the_cases_closed_that_year(
    app: Flask, client: PageClient, supervisor: Account
) -> None:
    given = ["partly_satisfied", "partly_satisfied", "satisfied", "very_dissatisfied", None]
    references = [closed_and_answered(app, client, supervisor, choice) for choice in given]
    last_year = closed_and_answered(app, client, supervisor, "very_satisfied")
    with app.app_context():
        db.session.execute(
            update(Report)
            .where(Report.reference.in_(references))
            .values(closed_at=datetime(2025, 6, 1, tzinfo=UTC))
        )
        # Closed in the last minute of 2024: counted in 2024's figures, not 2025's.
        db.session.execute(
            update(Report)
            .where(Report.reference == last_year)
            .values(closed_at=datetime(2024, 12, 31, 23, 59, tzinfo=UTC))
        )
        db.session.commit()
        assert satisfaction.counts_for_year(2025) == {
            "Very satisfied": 0,
            "Satisfied": 1,
            "Partly satisfied": 2,
            "Dissatisfied": 0,
            "Very dissatisfied": 1,
        }
        assert satisfaction.counts_for_year(2024)["Very satisfied"] == 1


def test_officers_read_the_years_satisfaction_counts_on_the_feedback_page(
    app: Flask, client: PageClient, supervisor: Account, supervisor_client: PageClient
) -> None:
    reference = closed_and_answered(app, client, supervisor, "partly_satisfied")
    with app.app_context():
        db.session.execute(
            update(Report)
            .where(Report.reference == reference)
            .values(closed_at=datetime(2025, 6, 1, tzinfo=UTC))
        )
        db.session.commit()

    def counts(page_path: str) -> dict[str, str]:
        page = supervisor_client.get(page_path)
        heading = page.soup.find("h2", id="satisfaction")
        assert heading is not None
        counted = heading.find_next("dl")
        assert counted is not None
        return {
            row.dt.get_text(strip=True): row.dd.get_text(strip=True)  # type: ignore[union-attr]
            for row in counted.select(".govuk-summary-list__row")
        }

    assert counts("/officer/feedback?year=2025")["Partly satisfied"] == "1 resident"
    assert counts("/officer/feedback?year=2024")["Partly satisfied"] == "0 residents"
    # A year that is no year shows this year's counts, not an error.
    for year in ("99999999999", "²⁰²⁵", "-1", "twenty"):
        assert set(counts(f"/officer/feedback?year={year}")) == set(satisfaction.ANSWER_LABELS.values())
