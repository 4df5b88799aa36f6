"""An ASB Case Review after its threshold is met: the meeting, its recommendations, the outcome
letter, an escalation and its outcome, each refused at the wrong stage or with a wrong date, and
each written to the case's audit log (portal/cases/case_review_steps.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.cases import case_review_steps as steps
from portal.cases import operations, records
from portal.extensions import db
from portal.models import AuditEvent, CaseReview, TaskingAction, User
from tests.case_reviews import at_london_noon, make_review
from tests.cases import make_case
from tests.conftest import MailCatcher
from tests.helpers import today
from tests.officers import Account, make_account

AGENCIES = ["District council", "Police"]


def days(offset: int) -> date:
    return today() + timedelta(days=offset)


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def user(account: Account) -> User:
    found = db.session.get(User, account.id)
    assert found is not None
    return found


def a_review(app: Flask, holder: Account | None, stage: str = "met", **changes: Any) -> int:
    """A review of a case reported 40 days ago and held by ``holder``; the victim applied 30 days ago."""
    reference = make_case(
        app,
        submitted_at=changes.pop("submitted_at", datetime.now(UTC) - timedelta(days=40)),
        assignee_id=holder.id if holder else None,
        **changes.pop("case", {}),
    )
    changes.setdefault("applied_at", datetime.now(UTC) - timedelta(days=30))
    return make_review(app, reference, stage, **changes)


def meeting(review_id: int, who: User, **changes: Any) -> CaseReview:
    values: dict[str, Any] = {
        "meeting_on": days(-1),
        "chair_name": "Alex Chair",
        "chair_organisation": "Bolsover District Council",
        "agencies_present": AGENCIES,
        "victim_invited": True,
        "victim_attended": False,
        "victim_views_in_writing": True,
        "victim_views": "Wants the noise to stop.",
        "findings": "Reports were not joined up.",
        **changes,
    }
    return steps.record_meeting(review_id, who, **values)


def review(review_id: int) -> CaseReview:
    db.session.expire_all()
    found = db.session.get(CaseReview, review_id)
    assert found is not None
    return found


def audit_actions() -> list[str]:
    """What the audit log has on cases (signing the officers in is on their accounts)."""
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.report_id.is_not(None)).order_by(AuditEvent.id)
        )
    )


def last_entry() -> AuditEvent:
    entry = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert entry is not None
    return entry


# --- the review meeting ---------------------------------------------------------------------------


def test_a_meeting_held_after_the_threshold_is_met_is_recorded_and_the_letter_falls_due(
    app: Flask, officer: Account, ctx: None
) -> None:
    review_id = a_review(app, officer)
    meeting(review_id, user(officer), meeting_on=days(-1))
    held = review(review_id)
    assert held.stage == "review_held"
    assert held.chair_organisation == "Bolsover District Council"
    assert held.agencies_present == AGENCIES
    assert (held.victim_invited, held.victim_attended, held.victim_views_in_writing) == (True, False, True)
    assert held.outcome_due is not None and held.outcome_due > held.meeting_on  # type: ignore[operator]
    entry = last_entry()
    assert entry.action == "case_review_meeting_recorded"
    assert entry.actor_id == officer.id
    assert entry.after is not None and entry.after["chair"] == "Alex Chair, Bolsover District Council"
    assert "Wants the noise" not in str(entry.after), "the victim's words stay out of the audit log"


def test_a_meeting_on_christmas_eve_has_its_letter_due_after_new_year(
    app: Flask, officer: Account, ctx: None
) -> None:
    review_id = a_review(
        app,
        officer,
        submitted_at=datetime(2025, 11, 3, 10, tzinfo=UTC),
        applied_at=datetime(2025, 11, 10, 10, tzinfo=UTC),
    )
    meeting(review_id, user(officer), meeting_on=date(2025, 12, 24))
    # Christmas, Boxing Day and New Year's Day are skipped: five working days end on Monday 5 January.
    assert review(review_id).outcome_due == date(2026, 1, 5)


@pytest.mark.parametrize("stage", ["applied", "not_met", "review_held", "outcome_sent", "escalated"])
def test_a_meeting_is_recorded_only_once_the_threshold_is_met(
    app: Flask, officer: Account, ctx: None, stage: str
) -> None:
    review_id = a_review(app, officer, stage)
    with pytest.raises(operations.NotAllowed, match="can be recorded once the threshold is met"):
        meeting(review_id, user(officer))
    assert review(review_id).stage == stage
    assert audit_actions() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"meeting_on": None}, "Enter the date of the review meeting"),
        ({"meeting_on": "tomorrow"}, "must be today or in the past"),
        ({"meeting_on": "before the decision"}, "must be on or after the threshold decision"),
        ({"chair_name": "  "}, "Enter the name of the chair"),
        ({"chair_organisation": ""}, "Enter the chair's organisation"),
        ({"agencies_present": []}, "Select at least one agency present"),
        ({"agencies_present": ["The Illuminati"]}, "Choose the agencies present from the list"),
        ({"victim_invited": False, "victim_attended": True}, "they were invited"),
        ({"victim_views": ""}, "Enter a summary of the victim's views"),
        ({"findings": "x" * 4001}, "What the review found must be 4,000 characters or fewer"),
    ],
)
def test_a_meeting_with_a_wrong_value_is_refused_and_nothing_changes(
    app: Flask, officer: Account, ctx: None, changes: dict[str, Any], message: str
) -> None:
    review_id = a_review(app, officer)
    decided_on = review(review_id).decided_at.astimezone(UTC).date()  # type: ignore[union-attr]
    named = {"tomorrow": days(1), "before the decision": decided_on - timedelta(days=2)}
    if isinstance(changes.get("meeting_on"), str):
        changes = {**changes, "meeting_on": named[changes["meeting_on"]]}
    with pytest.raises(operations.CaseError, match=message):
        meeting(review_id, user(officer), **changes)
    assert review(review_id).stage == "met"
    assert audit_actions() == []


def test_only_the_officer_with_the_case_or_a_supervisor_records_the_meeting(
    app: Flask, officer: Account, supervisor: Account, ctx: None
) -> None:
    review_id = a_review(app, make_account(app, "officer", "Other Officer"))
    with pytest.raises(operations.NotAllowed, match="Only the officer with the case, or a supervisor"):
        meeting(review_id, user(officer))
    meeting(review_id, user(supervisor))
    assert review(review_id).stage == "review_held"


def test_a_review_that_does_not_exist_is_not_found(app: Flask, officer: Account, ctx: None) -> None:
    with pytest.raises(operations.CaseNotFound, match="There is no ASB Case Review 999"):
        meeting(999, user(officer))


# --- recommendations ------------------------------------------------------------------------------


def test_a_recommendation_is_an_action_on_the_case_carrying_the_review(
    app: Flask, officer: Account, ctx: None
) -> None:
    review_id = a_review(app, officer, "review_held")
    action = steps.add_recommendation(review_id, user(officer), "Joint visit", "Police", days(14))
    stored = db.session.get(TaskingAction, action.id)
    assert stored is not None and stored.case_review_id == review_id
    assert (stored.description, stored.owner, stored.due_date) == ("Joint visit", "Police", days(14))
    assert last_entry().action == "case_review_recommendation_added"
    report = review(review_id).report
    assert records.work_records(report).actions == [], "the tasking section keeps to the meeting's actions"


@pytest.mark.parametrize("stage", ["review_held", "outcome_sent", "escalated", "escalation_decided"])
def test_recommendations_are_added_once_the_review_is_held(
    app: Flask, officer: Account, ctx: None, stage: str
) -> None:
    review_id = a_review(app, officer, stage)
    steps.add_recommendation(review_id, user(officer), "Mediation offered", "Housing provider", days(7))
    assert audit_actions() == ["case_review_recommendation_added"]


@pytest.mark.parametrize("stage", ["applied", "met", "not_met"])
def test_no_recommendation_before_the_review_is_held(
    app: Flask, officer: Account, ctx: None, stage: str
) -> None:
    review_id = a_review(app, officer, stage)
    with pytest.raises(operations.NotAllowed, match="once the review meeting has been held"):
        steps.add_recommendation(review_id, user(officer), "Joint visit", "Police", days(14))
    assert db.session.scalars(select(TaskingAction)).all() == []


@pytest.mark.parametrize(
    ("description", "owner", "due", "message"),
    [
        ("", "Police", 14, "Enter the action"),
        ("Joint visit", "", 14, "Enter who owns the action"),
        ("Joint visit", "Police", None, "Enter the date the action is due"),
        ("Joint visit", "Police", 400, "The date the action is due must be between"),
    ],
)
def test_a_recommendation_is_checked_as_a_tasking_action_is(
    app: Flask, officer: Account, ctx: None, description: str, owner: str, due: int | None, message: str
) -> None:
    review_id = a_review(app, officer, "review_held")
    with pytest.raises(operations.CaseError, match=message):
        steps.add_recommendation(review_id, user(officer), description, owner, days(due) if due else None)


def test_a_recommendation_is_marked_done_today_once(app: Flask, officer: Account, ctx: None) -> None:
    review_id = a_review(app, officer, "review_held")
    action = steps.add_recommendation(review_id, user(officer), "Joint visit", "Police", days(14))
    steps.complete_recommendation(review_id, user(officer), action.id)
    done = db.session.get(TaskingAction, action.id)
    assert done is not None and done.done_on == today()
    assert last_entry().action == "case_review_recommendation_done"
    with pytest.raises(operations.CaseError, match="already marked done"):
        steps.complete_recommendation(review_id, user(officer), action.id)


def test_a_tasking_action_is_not_a_recommendation_to_mark_done(
    app: Flask, officer: Account, ctx: None
) -> None:
    review_id = a_review(app, officer, "review_held")
    report = review(review_id).report
    records.save_tasking(report.reference, user(officer), None, days(-2), "")
    records.add_action(report.reference, user(officer), None, "Patrols", "Police", days(7))
    tasking = db.session.scalars(select(TaskingAction)).one()
    with pytest.raises(operations.CaseError, match="has no such action"):
        steps.complete_recommendation(review_id, user(officer), tasking.id)
    recommendation = steps.add_recommendation(review_id, user(officer), "Joint visit", "Police", days(14))
    with pytest.raises(operations.CaseError, match="has no such action"):
        records.complete_action(report.reference, user(officer), None, recommendation.id)


# --- the outcome letter ---------------------------------------------------------------------------


def held_at_christmas(app: Flask, holder: Account, **changes: Any) -> int:
    """A review whose meeting was on Christmas Eve 2025: its letter was due on Monday 5 January 2026."""
    return a_review(
        app,
        holder,
        "review_held",
        submitted_at=datetime(2025, 11, 3, 10, tzinfo=UTC),
        applied_at=datetime(2025, 11, 10, 10, tzinfo=UTC),
        meeting_on=date(2025, 12, 24),
        outcome_due=date(2026, 1, 5),
        **changes,
    )


@pytest.mark.parametrize(
    ("sent_on", "on_time", "words"),
    [
        (date(2025, 12, 29), True, "On time"),
        (date(2026, 1, 5), True, "On time"),
        (date(2026, 1, 6), False, "1 working day late"),
        # Tuesday the 6th and Wednesday the 7th: two working days after the Monday it was due.
        (date(2026, 1, 7), False, "2 working days late"),
        (date(2026, 1, 12), False, "5 working days late"),  # the weekend is not counted
    ],
)
def test_the_outcome_letter_is_on_time_or_late_by_working_days(
    app: Flask, officer: Account, ctx: None, sent_on: date, on_time: bool, words: str
) -> None:
    review_id = held_at_christmas(app, officer)
    steps.record_outcome(review_id, user(officer), sent_on, "The agencies will meet monthly.")
    sent = review(review_id)
    assert sent.stage == "outcome_sent"
    assert sent.outcome_sent_on == sent_on
    assert sent.outcome_timeliness == words
    entry = last_entry()
    assert entry.action == "case_review_outcome_sent"
    assert entry.after is not None
    assert (entry.after["on_time"], entry.after["timeliness"]) == (on_time, words)


@pytest.mark.parametrize(
    ("sent_on", "message"),
    [
        (None, "Enter the date the outcome letter was sent"),
        (date(2025, 12, 23), "must be on or after the review meeting \\(24 December 2025\\)"),
        ("tomorrow", "must be today or in the past"),
    ],
)
def test_an_outcome_letter_dated_before_the_meeting_or_in_the_future_is_refused(
    app: Flask, officer: Account, ctx: None, sent_on: Any, message: str
) -> None:
    review_id = held_at_christmas(app, officer)
    with pytest.raises(operations.CaseError, match=message):
        steps.record_outcome(
            review_id, user(officer), days(1) if sent_on == "tomorrow" else sent_on, "Letter"
        )
    assert review(review_id).stage == "review_held"


@pytest.mark.parametrize("stage", ["met", "outcome_sent", "escalated"])
def test_the_outcome_letter_is_recorded_once_after_the_meeting(
    app: Flask, officer: Account, ctx: None, stage: str
) -> None:
    review_id = a_review(app, officer, stage, meeting_on=days(-5), outcome_due=days(2))
    with pytest.raises(operations.NotAllowed, match="once the review meeting has been held, and only once"):
        steps.record_outcome(review_id, user(officer), days(-1), "Letter")


def test_the_victim_whose_email_is_safe_is_told_the_letter_was_sent_and_nothing_more(
    app: Flask, officer: Account, mailbox: MailCatcher, ctx: None
) -> None:
    review_id = held_at_christmas(app, officer)
    report = review(review_id).report
    address, reference = report.reporter_email, report.reference
    steps.record_outcome(review_id, user(officer), date(2026, 1, 5), "The agencies will meet monthly.")
    [email] = mailbox.to(address)
    body = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert email["Subject"] == f"Your ASB Case Review for report {reference}"
    assert "the outcome letter has been sent" in body
    assert reference in body
    assert "meet monthly" not in body and "Noise" not in body


def test_a_representative_is_emailed_at_the_address_they_gave(
    app: Flask, officer: Account, mailbox: MailCatcher, ctx: None
) -> None:
    review_id = held_at_christmas(
        app,
        officer,
        applicant="councillor",
        applicant_name="Cllr Jones",
        applicant_email="jones@council.example",
    )
    address = review(review_id).report.reporter_email
    steps.record_outcome(review_id, user(officer), date(2026, 1, 5), "Letter sent")
    assert len(mailbox.to("jones@council.example")) == 1
    assert mailbox.to(address) == []


def test_a_victim_whose_email_is_not_safe_is_not_emailed(
    app: Flask, officer: Account, mailbox: MailCatcher, ctx: None
) -> None:
    review_id = held_at_christmas(app, officer, case={"safe_to_email": False})
    steps.record_outcome(review_id, user(officer), date(2026, 1, 5), "Letter sent")
    assert mailbox.messages == []
    assert last_entry().after["applicant_emailed"] is False  # type: ignore[index]


# --- escalation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["outcome_sent", "not_met"])
def test_an_applicant_may_escalate_after_the_letter_or_a_threshold_not_met(
    app: Flask, officer: Account, ctx: None, stage: str
) -> None:
    review_id = a_review(app, officer, stage, outcome_sent_on=days(-10) if stage == "outcome_sent" else None)
    steps.escalate(review_id, user(officer), days(-2), "The police did not attend the meeting")
    escalated = review(review_id)
    assert escalated.stage == "escalated"
    assert escalated.escalation_body == "Police and Crime Commissioner"  # the policy's, as it is now
    assert last_entry().action == "case_review_escalated"


@pytest.mark.parametrize("stage", ["applied", "met", "review_held", "escalated", "escalation_decided"])
def test_no_escalation_before_the_letter(app: Flask, officer: Account, ctx: None, stage: str) -> None:
    review_id = a_review(app, officer, stage)
    with pytest.raises(operations.NotAllowed, match="once the outcome letter has been sent"):
        steps.escalate(review_id, user(officer), days(-1), "Disputed")


def test_an_escalation_before_the_letter_was_sent_or_without_a_reason_is_refused(
    app: Flask, officer: Account, ctx: None
) -> None:
    review_id = a_review(app, officer, "outcome_sent", outcome_sent_on=days(-10))
    with pytest.raises(operations.CaseError, match="on or after the outcome letter"):
        steps.escalate(review_id, user(officer), days(-11), "Disputed")
    with pytest.raises(operations.CaseError, match="Enter why the applicant disputes"):
        steps.escalate(review_id, user(officer), days(-1), " ")
    assert review(review_id).stage == "outcome_sent"


def test_the_escalations_outcome_is_one_of_the_results_and_ends_the_review(
    app: Flask, officer: Account, ctx: None
) -> None:
    review_id = a_review(app, officer, "escalated", escalated_on=days(-10))
    with pytest.raises(operations.CaseError, match="Choose the outcome of the escalation"):
        steps.record_escalation_outcome(review_id, user(officer), days(-1), "thrown_out", "")
    with pytest.raises(operations.CaseError, match="on or after the escalation"):
        steps.record_escalation_outcome(review_id, user(officer), days(-11), "upheld", "")
    steps.record_escalation_outcome(review_id, user(officer), days(-1), "partly_upheld", "Meet again")
    decided = review(review_id)
    assert (decided.stage, decided.escalation_result, decided.escalation_note) == (
        "escalation_decided",
        "partly_upheld",
        "Meet again",
    )
    assert audit_actions() == ["case_review_escalation_decided"]
    with pytest.raises(operations.NotAllowed, match="once the review has been escalated"):
        steps.record_escalation_outcome(review_id, user(officer), days(-1), "upheld", "")


def test_each_stage_offers_its_next_step(app: Flask, officer: Account, ctx: None) -> None:
    expected = {
        "met": "meeting",
        "review_held": "outcome",
        "escalated": "escalation_outcome",
        "applied": None,
    }
    made = {stage: a_review(app, officer, stage) for stage in expected}
    assert {stage: steps.next_step(review(made[stage])) for stage in expected} == expected


def test_the_decided_day_is_read_on_the_london_calendar(app: Flask, officer: Account, ctx: None) -> None:
    # Decided at 00:30 BST on 2 June 2026 (23:30 UTC on the 1st): a meeting on the 2nd is not before it.
    review_id = a_review(
        app,
        officer,
        submitted_at=datetime(2026, 5, 1, 10, tzinfo=UTC),
        applied_at=datetime(2026, 5, 20, 10, tzinfo=UTC),
        decided_at=datetime(2026, 6, 1, 23, 30, tzinfo=UTC),
    )
    meeting(review_id, user(officer), meeting_on=date(2026, 6, 2))
    assert review(review_id).meeting_on == date(2026, 6, 2)
    assert at_london_noon(date(2026, 6, 2)).hour == 11
