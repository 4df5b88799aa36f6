"""Applying for an ASB Case Review and deciding its threshold, as docs/policy.md section 10 says:
the applicant's reports to this portal and those they made elsewhere, in the window, counted once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal.cases import case_review
from portal.cases.case_review import Applicant, CaseReviewError, Declared
from portal.cases.operations import find_case
from portal.extensions import db
from portal.models import AuditEvent, CaseReview, User
from portal.models.audit import AuditAction
from portal.models.types import utcnow
from tests.cases import make_case
from tests.helpers import today
from tests.officers import Account

VICTIM = "vic.victim@example.org"
# An application at 10:00 BST on 31 August 2026: its six months reach back to 28 February.
APPLIED = datetime(2026, 8, 31, 9, 0, tzinfo=UTC)


def victims_case(app: Flask, **changes: object) -> str:
    values: dict[str, object] = {
        "reporter_email": VICTIM,
        "email_key": VICTIM,
        "submitted_at": datetime(2026, 8, 20, 10, 0, tzinfo=UTC),
        "postcode": "S18 1AB",
    }
    values.update(changes)
    return make_case(app, **values)


def user(account: Account) -> User:
    found = db.session.get(User, account.id)
    assert found is not None
    return found


def apply(
    app: Flask,
    reference: str,
    declared: list[Declared],
    *,
    officer: Account | None = None,
    applicant: Applicant | None = None,
    now: datetime | None = APPLIED,
) -> CaseReview:
    with app.app_context():
        review = case_review.apply(
            reference,
            channel="phone" if officer else "online",
            applicant=applicant or Applicant(),
            account="Music until 3am most nights, and shouting at my door.",
            reported_elsewhere=declared,
            actor=user(officer) if officer else None,
            now=now,
        )
        return loaded(review.id)


def decide(app: Flask, review_id: int, officer: Account, met: bool | None, note: str = "") -> CaseReview:
    with app.app_context():
        review = case_review.decide(review_id, user(officer), met=met, note=note)
        return loaded(review.id)


def loaded(review_id: int) -> CaseReview:
    """The stored application, read afresh and kept to look at once the test leaves the app."""
    review = db.session.get(CaseReview, review_id)
    assert review is not None
    db.session.expunge(review)
    return review


def police(on: date) -> Declared:
    return Declared(on, "police")


# --- Counting -------------------------------------------------------------------------------------


def test_two_portal_reports_and_one_to_the_police_meet_three_reports_by_the_applicant_in_six_months(
    app: Flask, officer: Account
) -> None:
    victims_case(app, submitted_at=datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    reference = victims_case(app)
    review = apply(app, reference, [police(date(2026, 7, 14))])
    decided = decide(app, review.id, officer, met=True)
    assert decided.stage == "met" and decided.threshold_met is True
    assert decided.threshold["met_by"] == ["reports_by_one_person"]
    assert decided.threshold["reasons"] == [
        "3 reports by the applicant in 6 months: 2 to this portal, 1 to the police"
    ]
    assert decided.decided_by_id == officer.id and decided.decided_at is not None
    assert decided.review_due is None, "the review's deadline is not yet a policy setting"


@pytest.mark.parametrize(
    "day, counted", [(date(2026, 2, 28), True), (date(2026, 3, 1), True), (date(2026, 2, 27), False)]
)
def test_a_report_to_the_police_counts_from_the_window_s_first_day_and_not_the_day_before(
    app: Flask, day: date, counted: bool
) -> None:
    victims_case(app, submitted_at=datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    reference = victims_case(app)
    review = apply(app, reference, [police(day)])
    with app.app_context():
        decision = case_review.computed(db.session.get(CaseReview, review.id))  # type: ignore[arg-type]
    assert decision.window_from == date(2026, 2, 28)
    assert decision.met is counted
    assert decision.reports_by_applicant == (3 if counted else 2)


def test_the_portal_s_reports_outside_the_window_and_other_people_s_are_not_the_applicant_s(
    app: Flask,
) -> None:
    victims_case(app, submitted_at=datetime(2026, 2, 27, 10, 0, tzinfo=UTC))  # before the window
    victims_case(app, reporter_email="someone@example.org", email_key="someone@example.org")
    reference = victims_case(app)
    review = apply(app, reference, [police(date(2026, 7, 1))])
    with app.app_context():
        decision = case_review.computed(db.session.get(CaseReview, review.id))  # type: ignore[arg-type]
        history = case_review.history_for_report(find_case(reference), APPLIED)
    assert decision.met is False
    assert (
        decision.reasons[0]
        == "2 reports by the applicant in 6 months, 3 needed (1 to this portal, 1 to the police)"
    )
    assert history.by_applicant == (date(2026, 8, 20),)
    assert history.other_households_at_place == 1


# --- What is refused -------------------------------------------------------------------------------


def test_an_application_on_a_case_that_is_not_anti_social_behaviour_is_refused(app: Flask) -> None:
    reference = victims_case(app, kind="safety_concern")
    with pytest.raises(CaseReviewError) as refused:
        apply(app, reference, [])
    assert "An ASB Case Review is for anti-social behaviour; this case is a safety concern" in str(
        refused.value
    )
    with app.app_context():
        assert db.session.scalars(select(CaseReview)).all() == []


def test_a_second_application_while_one_is_open_is_refused_saying_where_the_first_stands(app: Flask) -> None:
    reference = victims_case(app)
    apply(app, reference, [])
    with pytest.raises(CaseReviewError) as refused:
        apply(app, reference, [police(date(2026, 8, 1))])
    message = str(refused.value)
    assert f"{reference} already has an application for an ASB Case Review" in message
    assert "the threshold decision is due by Tuesday 15 September 2026" in message
    with app.app_context():
        assert len(db.session.scalars(select(CaseReview)).all()) == 1


def test_an_anonymised_case_takes_no_application(app: Flask) -> None:
    reference = victims_case(app, anonymised_at=datetime(2026, 9, 1, tzinfo=UTC))
    with pytest.raises(CaseReviewError, match="anonymised"):
        apply(app, reference, [])


def test_someone_acting_for_the_victim_needs_the_victim_s_consent_recorded(
    app: Flask, officer: Account
) -> None:
    reference = victims_case(app)
    councillor = Applicant("councillor", "Cllr Pat Jones", "pat.jones@example.gov.uk")
    with pytest.raises(CaseReviewError) as refused:
        apply(app, reference, [], officer=officer, applicant=councillor)
    assert refused.value.field == "consent_given_on"
    assert "without their consent" in str(refused.value)
    with pytest.raises(CaseReviewError) as refused:
        apply(
            app,
            reference,
            [],
            officer=officer,
            applicant=Applicant("councillor", "Cllr Pat Jones", consent_given_on=today()),
        )
    assert refused.value.field == "applicant_email"

    consented = Applicant(
        "councillor", "Cllr Pat Jones", "pat.jones@example.gov.uk", "", today(), "By phone to me"
    )
    review = apply(app, reference, [], officer=officer, applicant=consented)
    assert review.applicant == "councillor" and review.consent_how == "By phone to me"
    assert review.taken_by_id == officer.id and review.channel == "phone"


def test_a_report_elsewhere_dated_tomorrow_is_refused_against_its_own_date(app: Flask) -> None:
    reference = victims_case(app)
    with pytest.raises(CaseReviewError) as refused:
        apply(app, reference, [police(today()), police(today() + timedelta(days=1))], now=None)
    assert refused.value.field == "reported_elsewhere.1.reported_on"
    assert "a report cannot be dated in the future" in str(refused.value)


def test_the_decision_is_due_in_ten_working_days_with_bank_holidays_skipped(app: Flask) -> None:
    reference = victims_case(app, submitted_at=datetime(2026, 12, 20, 10, 0, tzinfo=UTC))
    review = apply(app, reference, [], now=datetime(2026, 12, 24, 12, 0, tzinfo=UTC))
    assert review.decision_due == date(2027, 1, 12)


def test_an_application_is_on_the_case_s_timeline(app: Flask, officer: Account) -> None:
    reference = victims_case(app)
    review = apply(app, reference, [], officer=officer)
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.CASE_REVIEW_APPLIED)
        )
    assert entry.actor_id == officer.id and entry.after["case_review"] == review.id  # type: ignore[index]
    assert entry.detail == "Phone, by the victim; decision due by Tuesday 15 September 2026"


# --- The officer's decision ------------------------------------------------------------------------


def test_not_met_needs_a_note_and_says_each_count_and_what_it_needs(app: Flask, officer: Account) -> None:
    reference = victims_case(app)
    review = apply(app, reference, [])
    with pytest.raises(CaseReviewError) as refused:
        decide(app, review.id, officer, met=False)
    assert refused.value.field == "note"
    decided = decide(app, review.id, officer, met=False, note="Offered mediation instead.")
    assert decided.stage == "not_met" and decided.threshold_met is False
    assert decided.threshold["reasons"] == [
        "1 report by the applicant in 6 months, 3 needed (1 to this portal)",
        "1 household reporting the same problem in 6 months, 5 needed",
    ]


def test_deciding_otherwise_than_the_count_needs_a_reason_which_is_audited(
    app: Flask, officer: Account
) -> None:
    reference = victims_case(app)
    review = apply(app, reference, [])
    with pytest.raises(CaseReviewError, match="by the count the application does not meet the threshold"):
        decide(app, review.id, officer, met=True)
    decided = decide(app, review.id, officer, met=True, note="Housing reports we hold on paper make it 4.")
    assert decided.stage == "met" and decided.threshold["met"] is False
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.CASE_REVIEW_DECIDED)
        )
    assert entry.after == {
        "case_review": review.id,
        "threshold_met": True,
        "counted_met": False,
        "overridden": True,
        "late": True,
    }
    assert "Housing reports we hold on paper make it 4." in (entry.detail or "")


def test_a_decision_is_made_once_and_may_be_late(app: Flask, officer: Account) -> None:
    reference = victims_case(app)
    review = apply(app, reference, [police(date(2026, 8, 1)), police(date(2026, 8, 2))])
    decided = decide(app, review.id, officer, met=True)
    with app.app_context():
        assert case_review.is_late(db.session.get(CaseReview, decided.id))  # type: ignore[arg-type]
    with pytest.raises(CaseReviewError, match="already been made"):
        decide(app, review.id, officer, met=True)


def test_an_application_today_is_not_late(app: Flask) -> None:
    reference = victims_case(app, submitted_at=utcnow() - timedelta(days=1))
    review = apply(app, reference, [], now=None)
    with app.app_context():
        assert not case_review.is_late(db.session.get(CaseReview, review.id))  # type: ignore[arg-type]


# --- Where it stands, for the resident -------------------------------------------------------------


def test_the_resident_is_told_where_their_application_stands_in_plain_words(
    app: Flask, officer: Account
) -> None:
    reference = victims_case(app)
    review = apply(app, reference, [])
    with app.app_context():
        stored = db.session.get(CaseReview, review.id)
        assert case_review.position(stored) == (  # type: ignore[arg-type]
            "We are deciding whether your application meets the threshold. "
            "We will tell you by Tuesday 15 September 2026."
        )
    decide(app, review.id, officer, met=False, note="Zebra-note: offered mediation")
    with app.app_context():
        words = case_review.position(db.session.get(CaseReview, review.id))  # type: ignore[arg-type]
    assert words.startswith("It did not meet the threshold, because we counted 1 report by you in 6 months")
    assert "Zebra" not in words
