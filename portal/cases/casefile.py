"""Everything the case page shows about one case, gathered in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import load_only

from portal.cases.safe_contact import SafeContact
from portal.cases.timeline import Entry, timeline
from portal.extensions import db
from portal.models import Attachment, CaseNote, OutboxMessage, Report
from portal.models.outbox import FAILED
from portal.reports.triage_policy import flag_labels
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
    flags: list[str]  # the flags' labels, as the policy words them
    safe_contact: SafeContact
    timeline: list[Entry]  # every change, and each officer's views a day, newest first
    undelivered: list[Undelivered]  # emails given up after their last attempt
    attachments: list[Attachment]  # the evidence, loaded here so the page runs no query as it renders


@dataclass(frozen=True)
class Undelivered:
    words: str
    queued_at: datetime
    attempts: int
    last_error: str | None


def _answer(question: str, value: str | list[str]) -> Answer:
    lines = value if isinstance(value, list) else (value.splitlines() or [""])
    return Answer(question, tuple(lines) or ("None",))


def answers(report: Report) -> list[tuple[str, list[Answer]]]:
    labels = TYPE_LABELS[report.kind]
    what = [
        _answer("What it is", [labels.get(t, t) for t in report.types]),
        _answer("What is happening", report.description),
        *(_answer(DETAIL_QUESTIONS[name], yes_no(value)) for name, value in report.details.items()),
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
    labels = flag_labels()
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
        flags=[labels.get(flag, flag.replace("_", " ")) for flag in report.flags],
        safe_contact=SafeContact.for_report(report),
        timeline=timeline(report),
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
