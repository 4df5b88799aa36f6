"""The pages of an ASB Case Review's steps after its threshold decision: each a form that goes back
to the review once saved, shows the form again as sent with the problem beside the answer when
refused, and is for the officers the URL map says; and the supervisors' yearly figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, render_template
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, CaseReview, TaskingAction
from portal.models.case_review import ESCALATION_RESULTS
from tests.case_reviews import make_review
from tests.cases import make_case
from tests.helpers import Page, PageClient, today
from tests.officers import Account
from tests.reports.test_history_queries import captured_statements

AGENCIES = ["District council", "Police"]


def days(offset: int) -> date:
    return today() + timedelta(days=offset)


def parts(name: str, day: date) -> dict[str, list[str]]:
    """A date as the three boxes of a GOV.UK date input post it: day, month, year, under one name."""
    return {name: [str(day.day), str(day.month), str(day.year)]}


def box(page: Page, name: str, part: str) -> str:
    """What one box of a date input shows."""
    field = page.soup.find("input", id=f"{name}-{part}")
    assert field is not None, f"no {part} box for {name}"
    return str(field.get("value", ""))


def a_review(app: Flask, holder: Account, stage: str = "met", **changes: Any) -> int:
    reference = make_case(app, submitted_at=datetime.now(UTC) - timedelta(days=40), assignee_id=holder.id)
    changes.setdefault("applied_at", datetime.now(UTC) - timedelta(days=30))
    return make_review(app, reference, stage, **changes)


def url(review_id: int, step: str = "") -> str:
    return f"/officer/case-reviews/{review_id}/{step}".rstrip("/")


def stored(app: Flask, review_id: int) -> CaseReview:
    with app.app_context():
        review = db.session.get(CaseReview, review_id)
        assert review is not None
        db.session.expunge(review)
        return review


def back_to_the_review(app: Flask, review_id: int, page: Page) -> None:
    """Saved: back on the review's page, or the case's while the portal has no page for reviews."""
    if "officer.case_review" in app.view_functions:
        assert page.path == url(review_id)
    else:
        assert page.path.startswith("/officer/cases/DIO-")


def meeting_answers() -> dict[str, Any]:
    """The meeting as an officer would record it, the day before today."""
    return {
        **parts("meeting_on", days(-1)),
        "chair_name": "Alex Chair",
        "chair_organisation": "Bolsover District Council",
        "agencies_present": AGENCIES,
        "victim_heard": ["invited", "in_writing"],
        "victim_views": "Wants the noise to stop.",
        "findings": "Reports were not joined up.",
    }


# --- the review meeting ---------------------------------------------------------------------------


def test_the_meeting_page_lists_the_councils_agencies_and_saves_the_meeting(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    review_id = a_review(app, officer)
    page = officer_client.get(url(review_id, "meeting"))
    assert page.h1 == "Record the review meeting"
    boxes = [box["value"] for box in page.soup.find_all("input", attrs={"name": "agencies_present"})]
    assert boxes == list(app.config["CASE_REVIEW_AGENCIES"])
    saved = officer_client.post(
        url(review_id, "meeting"), {"csrf_token": page.csrf_token(), **meeting_answers()}
    )
    back_to_the_review(app, review_id, saved)
    assert "The review meeting has been recorded" in saved.text()
    held = stored(app, review_id)
    assert (held.stage, held.chair_name, held.agencies_present) == ("review_held", "Alex Chair", AGENCIES)
    assert (held.victim_invited, held.victim_attended, held.victim_views_in_writing) == (True, False, True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agencies_present": []}, "Select at least one agency present at the review meeting"),
        ({"meeting_on": "in three days"}, "must be today or in the past"),
        ({"meeting_on": ["3", "13", "2026"]}, "The date of the review meeting must be a real date"),
        ({"victim_heard": ["attended"]}, "The victim attended, so they were invited"),
        ({"chair_name": ""}, "Enter the name of the chair"),
    ],
)
def test_a_refused_meeting_is_shown_again_with_everything_typed(
    app: Flask, officer: Account, officer_client: PageClient, changes: dict[str, Any], message: str
) -> None:
    review_id = a_review(app, officer)
    page = officer_client.get(url(review_id, "meeting"))
    if changes.get("meeting_on") == "in three days":
        changes = parts("meeting_on", days(3))
    sent = {**meeting_answers(), **changes}
    refused = officer_client.post(url(review_id, "meeting"), {"csrf_token": page.csrf_token(), **sent})
    assert refused.status == 400
    assert refused.title.startswith("Error: ")
    assert any(message in error for error in refused.errors), refused.errors
    assert refused.value("chair_organisation") == "Bolsover District Council"
    assert refused.value("victim_views") == "Wants the noise to stop."
    assert refused.value("findings") == "Reports were not joined up."
    assert refused.value("agencies_present") == sent["agencies_present"]
    assert refused.value("victim_heard") == sent["victim_heard"]
    assert box(refused, "meeting_on", "month") == sent["meeting_on"][1]
    assert stored(app, review_id).stage == "met"


def test_a_step_the_stage_does_not_allow_says_so(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    review_id = a_review(app, officer, "applied")
    page = officer_client.get(url(review_id, "meeting"))
    assert page.errors == [
        "The ASB Case Review is at “threshold decision due”: the review meeting can be recorded once the "
        "threshold is met, and only once"
    ]
    refused = officer_client.post(
        url(review_id, "meeting"), {"csrf_token": page.csrf_token(), **meeting_answers()}
    )
    assert refused.status == 400
    assert refused.value("chair_name") == "Alex Chair"


def test_a_review_that_does_not_exist_is_not_found(officer_client: PageClient) -> None:
    assert officer_client.get_raw(url(999, "meeting")).status_code == 404
    assert officer_client.get_raw(url(999, "recommendations")).status_code == 404


# --- recommendations ------------------------------------------------------------------------------


def test_a_recommendation_is_added_and_marked_done(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    review_id = a_review(app, officer, "review_held", meeting_on=days(-3))
    page = officer_client.get(url(review_id, "recommendations"))
    assert "No recommendations yet" in page.text()
    added = officer_client.post(
        url(review_id, "recommendations"),
        {
            "csrf_token": page.csrf_token(),
            "description": "Joint visit",
            "owner": "Police",
            **parts("due_date", days(14)),
        },
    )
    assert "The recommendation has been added" in added.text()
    assert "Joint visit" in added.text() and "Police" in added.text()
    with app.app_context():
        action = db.session.scalars(select(TaskingAction)).one()
        action_id = action.id
    done = officer_client.post(
        url(review_id, f"recommendations/{action_id}/done"), {"csrf_token": added.csrf_token()}
    )
    assert "The recommendation has been marked done" in done.text()
    assert done.soup.find("button", string=lambda text: bool(text and "Mark done" in text)) is None


def test_a_refused_recommendation_keeps_what_was_typed(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    review_id = a_review(app, officer, "review_held", meeting_on=days(-3))
    page = officer_client.get(url(review_id, "recommendations"))
    refused = officer_client.post(
        url(review_id, "recommendations"),
        {
            "csrf_token": page.csrf_token(),
            "description": "Joint visit",
            "owner": "Police",
            **parts("due_date", days(500)),
        },
    )
    assert refused.status == 400
    assert any("The date the action is due must be between" in error for error in refused.errors)
    assert refused.value("description") == "Joint visit"
    assert refused.value("owner") == "Police"
    assert box(refused, "due_date", "year") == str(days(500).year)


# --- the outcome letter, the escalation and its outcome ------------------------------------------


def test_the_outcome_letter_dated_before_the_meeting_is_refused_beside_the_date(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    review_id = a_review(app, officer, "review_held", meeting_on=days(-3), outcome_due=days(4))
    page = officer_client.get(url(review_id, "outcome"))
    sent = {"csrf_token": page.csrf_token(), **parts("sent_on", days(-5)), "summary": "Monthly meetings"}
    refused = officer_client.post(url(review_id, "outcome"), sent)
    assert refused.status == 400
    assert refused.errors[0].startswith("The date the outcome letter was sent must be on or after the review")
    assert refused.soup.select_one("#sent_on-error") is not None or "govuk-form-group--error" in refused.html
    assert refused.value("summary") == "Monthly meetings"
    saved = officer_client.post(url(review_id, "outcome"), {**sent, **parts("sent_on", days(-1))})
    back_to_the_review(app, review_id, saved)
    assert stored(app, review_id).stage == "outcome_sent"


def test_an_escalation_and_its_outcome_are_recorded(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    review_id = a_review(app, officer, "outcome_sent", meeting_on=days(-9), outcome_sent_on=days(-5))
    page = officer_client.get(url(review_id, "escalation"))
    missing = officer_client.post(
        url(review_id, "escalation"), {"csrf_token": page.csrf_token(), "reason": ""}
    )
    assert missing.errors == [
        "Enter the date of the escalation",
        "Enter why the applicant disputes how the review was handled",
    ]
    officer_client.post(
        url(review_id, "escalation"),
        {"csrf_token": page.csrf_token(), **parts("escalated_on", days(-2)), "reason": "Police absent"},
    )
    assert stored(app, review_id).escalation_body == "Police and Crime Commissioner"
    page = officer_client.get(url(review_id, "escalation-outcome"))
    radios = [radio["value"] for radio in page.soup.find_all("input", attrs={"name": "result"})]
    assert radios == list(ESCALATION_RESULTS)
    unchosen = officer_client.post(
        url(review_id, "escalation-outcome"),
        {"csrf_token": page.csrf_token(), **parts("decided_on", days(-1)), "note": "Meet again"},
    )
    assert unchosen.errors == ["Choose the outcome of the escalation"]
    assert unchosen.value("note") == "Meet again"
    officer_client.post(
        url(review_id, "escalation-outcome"),
        {"csrf_token": page.csrf_token(), **parts("decided_on", days(-1)), "result": "upheld", "note": ""},
    )
    decided = stored(app, review_id)
    assert (decided.stage, decided.escalation_result) == ("escalation_decided", "upheld")


# --- what the review's page shows after the decision ----------------------------------------------


def test_the_review_after_its_decision_shows_each_step_and_the_next(app: Flask, officer: Account) -> None:
    review_id = a_review(
        app,
        officer,
        "escalated",
        meeting_on=date(2025, 12, 24),
        review_due=date(2026, 1, 2),
        chair_name="Alex Chair",
        chair_organisation="Bolsover District Council",
        agencies_present=AGENCIES,
        victim_invited=True,
        victim_views="Wants it to stop",
        findings="Not joined up",
        outcome_due=date(2026, 1, 5),
        outcome_sent_on=date(2026, 1, 7),
        outcome_summary="Monthly meetings",
        escalated_on=date(2026, 1, 20),
        escalation_body="Police and Crime Commissioner",
        escalation_reason="Police absent",
    )
    with app.test_request_context():
        review = db.session.get(CaseReview, review_id)
        assert review is not None
        report = review.report
        recommendations = [
            TaskingAction(description="Joint visit", owner="Police", due_date=date(2026, 2, 1), done_on=None)
        ]
        with captured_statements() as queries:
            html = render_template(
                "officer/case_review/_after_decision.html",
                review=review,
                report=report,
                recommendations=recommendations,
            )
    assert queries == [], "the partial runs no queries"
    text = " ".join(html.replace("&#39;", "'").split())
    assert "Alex Chair, Bolsover District Council" in text
    assert "24 December 2025 (due by 2 January 2026: on time)" in text
    assert "5 January 2026: 2 working days late" in text
    assert "Joint visit" in text and "Not yet" in text
    assert "to the Police and Crime Commissioner" in text
    assert "Record the escalation's outcome" in text


# --- permissions and the figures ------------------------------------------------------------------

NEW_ROUTES = {
    "officer.case_review_meeting": "work",
    "officer.case_review_outcome": "work",
    "officer.case_review_escalation": "work",
    "officer.case_review_escalation_outcome": "work",
    "officer.case_review_recommendations": "work",
    "officer.add_case_review_recommendation": "work",
    "officer.complete_case_review_recommendation": "work",
    "officer.case_review_figures": "supervise",
    "officer.case_review_figures_csv": "supervise",
}


def test_the_case_review_steps_need_work_and_the_figures_supervision(app: Flask) -> None:
    for endpoint, permission in NEW_ROUTES.items():
        assert app.view_functions[endpoint].required_permission == permission, endpoint


def test_officers_cannot_see_the_figures(officer_client: PageClient) -> None:
    assert "ASB Case Review figures" not in officer_client.get("/officer/").text()
    assert officer_client.get_raw("/officer/case-reviews/figures").status_code == 403
    assert officer_client.get_raw("/officer/case-reviews/figures.csv").status_code == 403


def test_a_supervisor_sees_the_years_figures_and_downloads_them_audited(
    app: Flask, officer: Account, supervisor_client: PageClient
) -> None:
    a_review(app, officer, "met", channel="phone", applied_at=datetime(2026, 5, 1, 9, tzinfo=UTC))
    page = supervisor_client.get("/officer/case-reviews/figures?year=2026")
    assert page.h1 == "ASB Case Review figures"
    assert "1 April 2026 to 31 March 2027" in page.text()
    row = page.soup.select_one("#by-channel").find("th", string="Phone").find_next("td")  # type: ignore[union-attr]
    assert row.get_text(strip=True) == "1"
    response = supervisor_client.get_raw("/officer/case-reviews/figures.csv?year=2026")
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="asb-case-review-figures-2026-2027.csv"'
    )
    csv_text = response.get_data(as_text=True)
    assert "Applications by channel,Phone,1" in csv_text
    with app.app_context():
        entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exported")).one()
        assert entry.after == {"export": "case_review_figures", "filters": {"year": 2026}, "cases": 1}
    listed = supervisor_client.get("/officer/downloads")
    assert "Exported the ASB Case Review figures as CSV" in listed.text()


def test_a_year_that_is_not_a_year_shows_the_current_financial_year(supervisor_client: PageClient) -> None:
    page = supervisor_client.get("/officer/case-reviews/figures?year=twenty")
    now = today()
    year = now.year if now.month >= 4 else now.year - 1
    assert f"1 April {year} to 31 March {year + 1}" in page.text()
