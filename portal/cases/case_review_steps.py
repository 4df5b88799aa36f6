"""An ASB Case Review after its threshold decision: the review meeting, its recommendations, the
outcome letter to the applicant, an escalation and its outcome, and the yearly figures.

Each step goes through ``operations.change_work_record``: the case is locked, only the officer
with the case or a supervisor may make it, and it writes its audit entry on the case. Inside, the
review is read again under the lock and its stage must allow the step (``STEP_STAGES``); a date is
checked against today on the Europe/London calendar and the step before it. Bad values raise
``CaseError`` and nothing changes. The audit entries keep dates, names and choices, never what
the victim said or the meeting found: those are the review's own record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, func, literal, select

from portal.cases import operations, records
from portal.cases.case_review import ReviewNotFound
from portal.extensions import db
from portal.figures.year import financial_year
from portal.mail import queue_email
from portal.models import CaseReview, Report, TaskingAction, User
from portal.models.audit import AuditAction
from portal.models.case_review import APPLICANTS, CHANNELS, ESCALATION_RESULTS, STAGES
from portal.models.types import UTCDateTime
from portal.reports.triage_policy import current_policy
from portal.triage import case_review as rules
from portal.triage.calendar import LONDON, london_date, london_today

# The stages each step may be taken from. Recommendations are added, and marked done, once the
# review has been held, through the letter and any escalation.
MEETING = "meeting"
RECOMMENDATION = "recommendation"
OUTCOME = "outcome"
ESCALATION = "escalation"
ESCALATION_OUTCOME = "escalation_outcome"
STEP_STAGES: dict[str, tuple[str, ...]] = {
    MEETING: ("met",),
    RECOMMENDATION: ("review_held", "outcome_sent", "escalated", "escalation_decided"),
    OUTCOME: ("review_held",),
    ESCALATION: ("outcome_sent", "not_met"),
    ESCALATION_OUTCOME: ("escalated",),
}
STEP_WORDS = {
    MEETING: "the review meeting can be recorded once the threshold is met, and only once",
    RECOMMENDATION: "recommendations are added once the review meeting has been held",
    OUTCOME: "the outcome letter is recorded once the review meeting has been held, and only once",
    ESCALATION: (
        "an escalation is recorded once the outcome letter has been sent, or the threshold was not met"
    ),
    ESCALATION_OUTCOME: "the escalation's outcome is recorded once the review has been escalated",
}
NAME_MAX = 200
TEXT_MAX = 4000
PURPOSE = "case_review_outcome"


class StepError(operations.CaseError):
    """A value of a step that cannot be taken; ``field`` names the step's argument at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def partnership_agencies() -> tuple[str, ...]:
    """The partner agencies a review meeting may hear from, as the council lists them."""
    return tuple(current_app.config["CASE_REVIEW_AGENCIES"])


def _words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _reference(review_id: int) -> str:
    reference = db.session.scalar(
        select(Report.reference)
        .join(CaseReview, CaseReview.report_id == Report.id)
        .where(CaseReview.id == review_id)
    )
    if reference is None:
        raise ReviewNotFound(f"There is no ASB Case Review {review_id}")
    return str(reference)


def _locked(review_id: int, report: Report, step: str) -> CaseReview:
    """The review, read again under the case's lock, if its stage allows ``step``."""
    review = db.session.scalars(
        select(CaseReview)
        .where(CaseReview.id == review_id, CaseReview.report_id == report.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if review is None:
        raise ReviewNotFound(f"There is no ASB Case Review {review_id}")
    if review.stage not in STEP_STAGES[step]:
        raise operations.NotAllowed(
            f"The ASB Case Review is at “{STAGES[review.stage].lower()}”: {STEP_WORDS[step]}"
        )
    return review


def _step(review_id: int, user: User, action: AuditAction, step: str, change: Any) -> CaseReview:
    """Run ``change(review, report)`` on the locked review; it returns the audit entry's after."""
    done: list[CaseReview] = []

    def on_case(report: Report) -> tuple[dict[str, Any], dict[str, Any]]:
        review = _locked(review_id, report, step)
        before = {"case_review": review.id, "stage": review.stage}
        after = change(review, report)
        done.append(review)
        return before, {"case_review": review.id, "stage": review.stage, **after}

    operations.change_work_record(_reference(review_id), user, None, action, on_case)
    return done[0]


def _day(day: date | None, field: str, what: str, earliest: date, after_what: str) -> date:
    """A day something happened: not before ``earliest`` (the step before) and not after today."""
    if day is None:
        raise StepError(f"Enter the {what}", field)
    if day > london_today():
        raise StepError(f"The {what} must be today or in the past", field)
    if day < earliest:
        raise StepError(f"The {what} must be on or after {after_what} ({_words(earliest)})", field)
    return day


def _text(value: str | None, field: str, what: str, limit: int = TEXT_MAX, *, required: bool = True) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise StepError(f"Enter {what}", field)
    if len(value) > limit:
        raise StepError(f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer", field)
    return value


def _decided_on(review: CaseReview) -> date:
    return london_date(review.decided_at or review.applied_at)


def allows(review: CaseReview, step: str) -> bool:
    """Whether the review's stage allows ``step`` now."""
    return review.stage in STEP_STAGES[step]


# --- The steps ----------------------------------------------------------------------------------


def record_meeting(
    review_id: int,
    user: User,
    meeting_on: date | None,
    chair_name: str | None,
    chair_organisation: str | None,
    agencies_present: Iterable[str],
    victim_invited: bool,
    victim_attended: bool,
    victim_views_in_writing: bool,
    victim_views: str | None,
    findings: str | None,
) -> CaseReview:
    """The review meeting was held: when, its independent chair, the agencies there, how the
    victim's views were heard, and what it found. The outcome letter is then due."""

    def change(review: CaseReview, _report: Report) -> dict[str, Any]:
        day = _day(
            meeting_on,
            "meeting_on",
            "date of the review meeting",
            _decided_on(review),
            "the threshold decision",
        )
        chair = _text(chair_name, "chair_name", "the name of the chair", NAME_MAX)
        organisation = _text(chair_organisation, "chair_organisation", "the chair's organisation", NAME_MAX)
        known = partnership_agencies()
        agencies = [agency for agency in known if agency in set(agencies_present)]
        if set(agencies_present) - set(known):
            raise StepError("Choose the agencies present from the list", "agencies_present")
        if not agencies:
            raise StepError("Select at least one agency present at the review meeting", "agencies_present")
        if victim_attended and not victim_invited:
            raise StepError("The victim attended, so they were invited: select that too", "victim_heard")
        views = _text(victim_views, "victim_views", "a summary of the victim's views")
        found = _text(findings, "findings", "what the review found")
        policy = current_policy()
        if review.review_due is None:  # a decision recorded before the review's due date was kept
            review.review_due = rules.review_due(_decided_on(review), policy)
        review.meeting_on = day
        review.chair_name, review.chair_organisation = chair, organisation
        review.agencies_present = agencies
        review.victim_invited, review.victim_attended = victim_invited, victim_attended
        review.victim_views_in_writing = victim_views_in_writing
        review.victim_views, review.findings = views, found
        review.outcome_due = rules.outcome_due(day, policy)
        review.stage = "review_held"
        return {
            "meeting_on": day.isoformat(),
            "chair": f"{chair}, {organisation}",
            "agencies_present": "; ".join(agencies),
            "victim_invited": victim_invited,
            "victim_attended": victim_attended,
            "victim_views_in_writing": victim_views_in_writing,
            "outcome_due": review.outcome_due.isoformat(),
        }

    return _step(review_id, user, AuditAction.CASE_REVIEW_MEETING_RECORDED, MEETING, change)


def add_recommendation(
    review_id: int, user: User, description: str | None, owner: str | None, due_date: date | None
) -> TaskingAction:
    """A recommendation of the review: an action on its case, checked as a tasking action is."""
    added: list[TaskingAction] = []

    def change(review: CaseReview, report: Report) -> dict[str, Any]:
        try:
            action = records.new_action(report, description, owner, due_date, case_review_id=review.id)
        except operations.CaseError as error:
            raise StepError(str(error), _action_field(str(error))) from None
        added.append(action)
        return {"action": action.description, "owner": action.owner, "due_date": action.due_date.isoformat()}

    _step(review_id, user, AuditAction.CASE_REVIEW_RECOMMENDATION_ADDED, RECOMMENDATION, change)
    return added[0]


def _action_field(message: str) -> str:
    """Which value of a recommendation ``records.new_action`` refused, from its message."""
    if "owns" in message:
        return "owner"
    if "due" in message:
        return "due_date"
    return "description"


def complete_recommendation(review_id: int, user: User, action_id: int) -> CaseReview:
    """Mark a recommendation of the review done, today, as a tasking action is marked done."""

    def change(review: CaseReview, report: Report) -> dict[str, Any]:
        _before, after = records.mark_done(report, action_id, case_review_id=review.id)
        return after

    return _step(review_id, user, AuditAction.CASE_REVIEW_RECOMMENDATION_DONE, RECOMMENDATION, change)


def applicant_email(review: CaseReview, report: Report) -> str:
    """Where the applicant can be emailed safely, or "": the victim's own application on a case
    whose email is safe, or the email a representative gave."""
    if review.applicant == "victim":
        return report.reporter_email if report.can_be_emailed else ""
    return review.applicant_email.strip()


def record_outcome(review_id: int, user: User, sent_on: date | None, summary: str | None) -> CaseReview:
    """The outcome letter was sent to the applicant. An applicant who can be emailed safely is told
    so, by the case's reference only; the letter itself says what the review found."""

    def change(review: CaseReview, report: Report) -> dict[str, Any]:
        assert review.meeting_on is not None and review.outcome_due is not None  # nosec B101 (stage)
        day = _day(
            sent_on, "sent_on", "date the outcome letter was sent", review.meeting_on, "the review meeting"
        )
        review.outcome_sent_on = day
        review.outcome_summary = _text(summary, "summary", "a summary of the outcome letter")
        review.stage = "outcome_sent"
        recipient = applicant_email(review, report)
        if recipient:
            queue_email(
                purpose=PURPOSE,
                recipient=recipient,
                subject=f"Your ASB Case Review for report {report.reference}",
                template=PURPOSE,
                context={"reference": report.reference},
                report_id=report.id,
            )
        return {
            "outcome_sent_on": day.isoformat(),
            "outcome_due": review.outcome_due.isoformat(),
            "on_time": day <= review.outcome_due,
            "timeliness": rules.timeliness(review.outcome_due, day),
            "applicant_emailed": bool(recipient),
        }

    return _step(review_id, user, AuditAction.CASE_REVIEW_OUTCOME_SENT, OUTCOME, change)


def escalate(review_id: int, user: User, escalated_on: date | None, reason: str | None) -> CaseReview:
    """The applicant disputes how the review was handled: it goes to the body the policy names now."""

    def change(review: CaseReview, _report: Report) -> dict[str, Any]:
        if review.stage == "not_met":
            earliest, what = _decided_on(review), "the threshold decision"
        else:
            assert review.outcome_sent_on is not None  # nosec B101 (the stage says it was sent)
            earliest, what = review.outcome_sent_on, "the outcome letter"
        day = _day(escalated_on, "escalated_on", "date of the escalation", earliest, what)
        review.escalated_on = day
        review.escalation_reason = _text(
            reason, "reason", "why the applicant disputes how the review was handled"
        )
        review.escalation_body = current_policy().case_review.escalation_body
        review.stage = "escalated"
        return {"escalated_on": day.isoformat(), "escalation_body": review.escalation_body}

    return _step(review_id, user, AuditAction.CASE_REVIEW_ESCALATED, ESCALATION, change)


def record_escalation_outcome(
    review_id: int, user: User, decided_on: date | None, result: str | None, note: str | None
) -> CaseReview:
    """What the body escalated to decided, and when."""

    def change(review: CaseReview, _report: Report) -> dict[str, Any]:
        assert review.escalated_on is not None  # nosec B101 (the stage says it was escalated)
        day = _day(
            decided_on,
            "decided_on",
            "date of the escalation's outcome",
            review.escalated_on,
            "the escalation",
        )
        if result not in ESCALATION_RESULTS:
            raise StepError("Choose the outcome of the escalation", "result")
        review.escalation_decided_on = day
        review.escalation_result = result
        review.escalation_note = _text(note, "note", "a note of the decision", required=False)
        review.stage = "escalation_decided"
        return {"escalation_decided_on": day.isoformat(), "escalation_result": result}

    return _step(review_id, user, AuditAction.CASE_REVIEW_ESCALATION_DECIDED, ESCALATION_OUTCOME, change)


def next_step(review: CaseReview) -> str | None:
    """The one step the review's stage asks for next, if any (recommendations aside)."""
    for step in (MEETING, OUTCOME, ESCALATION_OUTCOME):
        if review.stage in STEP_STAGES[step]:
            return step
    return None


# --- The figures for a financial year -----------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One financial year's ASB Case Reviews, each figure a table of (label, count)."""

    year: int
    starts: date
    ends: date  # the last day, 31 March
    applications: int
    by_channel: list[tuple[str, int]]
    by_applicant: list[tuple[str, int]]
    threshold: list[tuple[str, int]]  # met, not met, undecided: of the year's applications
    decided_on_time: int
    decided: int
    reviews_held: int
    reviews_held_on_time: int
    outcomes_sent: int
    outcomes_on_time: int
    escalations: int
    escalation_results: list[tuple[str, int]]

    @property
    def title(self) -> str:
        return f"1 April {self.year} to 31 March {self.year + 1}"

    def rows(self) -> list[tuple[str, str, int]]:
        """Every figure as (figure, line, count): the CSV file's rows."""
        lines: list[tuple[str, str, int]] = [("Applications", "All", self.applications)]
        lines += [("Applications by channel", label, count) for label, count in self.by_channel]
        lines += [("Applications by applicant", label, count) for label, count in self.by_applicant]
        lines += [("Threshold", label, count) for label, count in self.threshold]
        lines += [
            ("Threshold decisions", "Decided", self.decided),
            ("Threshold decisions", "Decided on time", self.decided_on_time),
            ("Review meetings", "Held", self.reviews_held),
            ("Review meetings", "Held on time", self.reviews_held_on_time),
            ("Outcome letters", "Sent", self.outcomes_sent),
            ("Outcome letters", "Sent on time", self.outcomes_on_time),
            ("Escalations", "All", self.escalations),
        ]
        lines += [("Escalation results", label, count) for label, count in self.escalation_results]
        return lines


def _counted(column: Any, labels: dict[str, str], where: ColumnElement[bool]) -> list[tuple[str, int]]:
    counted = dict(
        db.session.execute(select(column, func.count()).where(where).group_by(column)).tuples().all()
    )
    return [(label, int(counted.get(value, 0))) for value, label in labels.items()]


def _count(*where: ColumnElement[bool]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(CaseReview).where(*where)) or 0)


def _decided_on_time(where: ColumnElement[bool]) -> int:
    """Decisions made by the end of their due day on the Europe/London clock.

    The end of a day in London is midnight UTC or 23:00 UTC, by the season: each due day's end is
    worked out here, for the few hundred due days there are, and the database counts against them.
    """
    decided = and_(where, CaseReview.decided_at.is_not(None))
    days = list(db.session.scalars(select(CaseReview.decision_due).where(decided).distinct()))
    if not days:
        return 0
    ends = {day: datetime.combine(day + timedelta(days=1), time(), LONDON) for day in days}
    deadline = case(
        {day: literal(end, UTCDateTime()) for day, end in ends.items()}, value=CaseReview.decision_due
    )
    return _count(decided, CaseReview.decided_at < deadline)


def figures(year: int) -> Figures:
    """The year's figures, counted by the database. Applications by when they were made (and their
    threshold with them); meetings, letters and escalations by the day they happened."""
    start, end = financial_year(year)
    first, last = start.date(), end.date() - timedelta(days=1)
    applied = and_(CaseReview.applied_at >= start, CaseReview.applied_at < end)
    held = and_(CaseReview.meeting_on >= first, CaseReview.meeting_on <= last)
    sent = and_(CaseReview.outcome_sent_on >= first, CaseReview.outcome_sent_on <= last)
    escalated = and_(CaseReview.escalated_on >= first, CaseReview.escalated_on <= last)
    met = _count(applied, CaseReview.threshold_met.is_(True))
    not_met = _count(applied, CaseReview.threshold_met.is_(False))
    applications = _count(applied)
    escalations = _count(escalated)
    results = _counted(CaseReview.escalation_result, ESCALATION_RESULTS, escalated)
    return Figures(
        year=year,
        starts=first,
        ends=last,
        applications=applications,
        by_channel=_counted(CaseReview.channel, CHANNELS, applied),
        by_applicant=_counted(CaseReview.applicant, APPLICANTS, applied),
        threshold=[
            ("Threshold met", met),
            ("Threshold not met", not_met),
            ("Not decided yet", applications - met - not_met),
        ],
        decided=met + not_met,
        decided_on_time=_decided_on_time(applied),
        reviews_held=_count(held),
        reviews_held_on_time=_count(held, CaseReview.meeting_on <= CaseReview.review_due),
        outcomes_sent=_count(sent),
        outcomes_on_time=_count(sent, CaseReview.outcome_sent_on <= CaseReview.outcome_due),
        escalations=escalations,
        escalation_results=[
            *results,
            ("Not decided yet", escalations - sum(count for _label, count in results)),
        ],
    )
