"""Everything the case page shows about one case, gathered in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import load_only

from portal.extensions import db
from portal.models import Attachment, AuditEvent, CaseNote, OutboxMessage, Report, User
from portal.models.audit import IS_CHANGE, IS_VIEW
from portal.models.outbox import FAILED
from portal.text.labels import (
    DETAIL_QUESTIONS,
    FREQUENCY_LABELS,
    HARM_LABELS,
    KIND_TITLES,
    PREVIOUS_REPORTS_LABELS,
    STARTED_LABELS,
    TYPE_LABELS,
    yes_no,
)
from portal.triage.calendar import london_today
from portal.triage.contract import asked_details

RELATED_LIMIT = 25
# What the case page lists of another report: its reference and when it came in.
RELATED_ONLY = load_only(Report.id, Report.reference, Report.submitted_at, raiseload=True)

CASE_REVIEW_WORDS = {
    "case_review_eligible": (
        "Threshold met: the resident was told they can apply for an ASB Case Review, and how."
    ),
    "case_review_explained": "A repeat ASB report: the resident was told about the ASB Case Review.",
}

# What the case page says of an email the outbox gave up on after its last attempt.
UNDELIVERED_WORDS = {
    "acknowledgement": (
        "The resident was not acknowledged: their acknowledgement email could not be sent. "
        "Contact them on a channel they said is safe."
    ),
    "case_update": (
        "An update could not be emailed to the resident. Give it on a channel they said is safe."
    ),
    "safeguarding_alert": (
        "The safeguarding alert for this case could not be sent to the duty officer. Tell them now."
    ),
}


@dataclass(frozen=True)
class Answer:
    question: str
    lines: tuple[str, ...]


@dataclass
class CaseFile:
    report: Report
    kind_title: str
    answers: list[tuple[str, list[Answer]]]
    overdue: bool
    case_review: str
    reporter_reports: list[Report]
    place_reports: list[Report]
    notes: list[CaseNote]
    timeline: list[AuditEvent]  # every change, newest first; views are summed up in ``viewers``
    viewers: list[Viewer]
    undelivered: list[Undelivered]  # emails given up after their last attempt
    attachments: list[Attachment]  # the evidence, loaded here so the page runs no query as it renders


@dataclass(frozen=True)
class Undelivered:
    words: str
    queued_at: datetime
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class Viewer:
    """Who has looked at a case: each view is in the audit log; the case page sums them per person."""

    name: str
    times: int
    last_at: datetime


def _answer(question: str, value: str | list[str]) -> Answer:
    lines = value if isinstance(value, list) else (value.splitlines() or [""])
    return Answer(question, tuple(lines) or ("None",))


def _asked(value: bool | None, yes: str, no: str) -> str:
    """A safe-contact answer in words: None is a question the resident was not asked."""
    if value is None:
        return "Not asked"
    return yes if value else no


def _asked_text(value: str, asked: bool) -> str:
    if not asked:
        return "Not asked"
    return value or "Not given"


def answers(report: Report) -> list[tuple[str, list[Answer]]]:
    labels = TYPE_LABELS[report.kind]
    what = [
        _answer("What it is", [labels.get(t, t) for t in report.types]),
        _answer("What is happening", report.description),
        # A follow-up the resident was not asked (its question was answered no) is left out, not "No".
        *(
            _answer(DETAIL_QUESTIONS[name], yes_no(value))
            for name, value in report.details.items()
            if value or name in asked_details(report.kind, report.details)
        ),
    ]
    where = [
        _answer("Where", report.address or "Not given"),
        _answer("Postcode", report.postcode or "Not given"),
        _answer("Ward", report.ward or "Not known"),
        _answer("When it started", STARTED_LABELS[report.started]),
        _answer("How often", FREQUENCY_LABELS[report.frequency]),
        _answer("Reported in the last 6 months", PREVIOUS_REPORTS_LABELS[report.previous_reports]),
    ]
    harm = [HARM_LABELS[question] for question, value in report.harm().items() if value]
    if report.anonymous:
        reporter = [_answer("Reporter", "Anonymous")]
    else:
        reporter = [
            _answer("Name", report.reporter_name or "Not given"),
            _answer("Email", report.reporter_email or "Not given"),
            _answer(
                "Safe to email", yes_no(report.safe_to_email) if report.reporter_email else "No email given"
            ),
            _answer("Phone", report.reporter_phone or "Not given"),
            _answer(
                "Safe to phone", yes_no(report.safe_to_phone) if report.reporter_phone else "No phone given"
            ),
            _answer("Safe times to phone", _asked_text(report.safe_call_times, report.can_be_phoned)),
            _answer(
                "Voicemail", _asked(report.voicemail_ok, "Leave a voicemail", "Do not leave a voicemail")
            ),
            _answer("Text messages", _asked(report.text_ok, "Safe to text", "Do not text")),
            _answer("Another safe way to contact them", report.safe_alternative_contact or "Not given"),
        ]
    reporter.append(_answer("Lives in the district", yes_no(report.lives_in_district)))
    return [
        ("What is happening", what),
        ("Where and when", where),
        ("How it affects them", [_answer("Harm", harm or ["None of these"])]),
        ("About the reporter", reporter),
    ]


def related_by_reporter(report: Report) -> list[Report]:
    keys = [
        column == value
        for column, value in ((Report.email_key, report.email_key), (Report.phone_key, report.phone_key))
        if value
    ]
    if not keys:
        return []
    return list(
        db.session.scalars(
            select(Report)
            .options(RELATED_ONLY)
            .where(or_(*keys), Report.id != report.id)
            .order_by(Report.submitted_at.desc())
            .limit(RELATED_LIMIT)
        )
    )


def related_by_place(report: Report) -> list[Report]:
    if not report.postcode:
        return []
    return list(
        db.session.scalars(
            select(Report)
            .options(RELATED_ONLY)
            .where(Report.postcode == report.postcode, Report.id != report.id)
            .order_by(Report.submitted_at.desc())
            .limit(RELATED_LIMIT)
        )
    )


def case_file(report: Report) -> CaseFile:
    review = next(
        (words for flag, words in CASE_REVIEW_WORDS.items() if flag in report.flags), "Not applicable."
    )
    return CaseFile(
        report=report,
        kind_title=KIND_TITLES[report.kind],
        answers=answers(report),
        overdue=report.is_overdue(london_today()),
        case_review=review,
        reporter_reports=related_by_reporter(report),
        place_reports=related_by_place(report),
        notes=list(
            db.session.scalars(
                select(CaseNote).where(CaseNote.report_id == report.id).order_by(CaseNote.created_at.desc())
            )
        ),
        timeline=list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.report_id == report.id, IS_CHANGE)
                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            )
        ),
        viewers=viewers(report),
        undelivered=undelivered(report),
        attachments=list(report.attachments),
    )


def undelivered(report: Report) -> list[Undelivered]:
    """The case's emails that the outbox gave up on: each needs an officer to act."""
    rows = db.session.execute(
        select(
            OutboxMessage.purpose, OutboxMessage.created_at, OutboxMessage.attempts, OutboxMessage.last_error
        )
        .where(OutboxMessage.report_id == report.id, OutboxMessage.status == FAILED)
        .order_by(OutboxMessage.created_at)
    )
    return [
        Undelivered(UNDELIVERED_WORDS.get(purpose, "An email could not be sent."), at, attempts, error)
        for purpose, at, attempts, error in rows
    ]


def viewers(report: Report) -> list[Viewer]:
    """Everyone who has opened the case, how often, and when last: most recent first.

    A case opened thousands of times would make a timeline of thousands of lines; each view is
    still kept, one audit entry each, and summed here.
    """
    rows = db.session.execute(
        select(User.name, func.count(), func.max(AuditEvent.at))
        .join(User, AuditEvent.actor_id == User.id)
        .where(AuditEvent.report_id == report.id, IS_VIEW)
        .group_by(User.id, User.name)
        .order_by(func.max(AuditEvent.at).desc())
    )
    return [Viewer(name, times, last_at) for name, times, last_at in rows]
