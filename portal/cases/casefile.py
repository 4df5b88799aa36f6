"""Everything the case page shows about one case, gathered in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import load_only

from portal.cases import satisfaction
from portal.cases.case_review import reviews_for_case
from portal.cases.safe_contact import SafeContact
from portal.cases.satisfaction import Satisfaction
from portal.cases.timeline import Entry, timeline
from portal.extensions import db
from portal.models import Attachment, CaseNote, CaseReview, OutboxMessage, Reassessment, Report
from portal.models.audit import AuditAction
from portal.models.outbox import FAILED
from portal.reports.incidents import latest_assessment
from portal.reports.summary import Answer, Voice, summarise
from portal.reports.triage_policy import current_policy, flag_labels
from portal.text.labels import KIND_TITLES
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
    "satisfaction_question": (
        "The email saying the case was closed, with the satisfaction question, could not be sent."
    ),
    "case_review_outcome": (
        "The email telling the ASB Case Review's applicant their outcome letter was sent could not be sent."
    ),
    "safeguarding_alert": (
        "The safeguarding alert for this case could not be sent to the duty officer. Tell them now."
    ),
}


@dataclass
class CaseFile:
    report: Report
    kind_title: str
    answers: list[tuple[str, tuple[Answer, ...]]]
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
    satisfaction: Satisfaction | None  # the question sent when it was closed, and the answer
    case_reviews: list[CaseReview]  # its applications for an ASB Case Review, newest first
    may_apply_for_review: bool  # an ASB case with no application open: one can be recorded
    # The latest assessment made when the resident added an incident, shown beside the first
    # decision (which is never rewritten); None while there is none.
    assessment: Reassessment | None = None
    assessment_flags: list[str] | None = None  # its flags' labels


@dataclass(frozen=True)
class Undelivered:
    words: str
    queued_at: datetime
    attempts: int
    last_error: str | None


# The case page's headings for the summary's topics: the officer reads about the resident.
TOPIC_TITLES = {
    "what": "What is happening",
    "where": "Where and when",
    "impact": "How it affects them",
    "about-you": "About the reporter",
}


def answers(report: Report) -> list[tuple[str, tuple[Answer, ...]]]:
    """The resident's answers, as the summary every room shows puts them (evidence has its own list)."""
    topics = summarise(
        report.kind, report.as_contract(), area=current_app.config["COUNCIL_AREA"], voice=Voice.OFFICER
    )
    return [(TOPIC_TITLES[topic.key], topic.answers) for topic in topics]


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
    entries = timeline(report)
    assessment = None
    if report.incident_count:  # a case the resident added nothing to has no later assessment
        assessment = latest_assessment(report.id)
    # An application's audit entry commits with it: a case with none costs no query.
    applied = any(entry.action == AuditAction.CASE_REVIEW_APPLIED for entry in entries)
    reviews = reviews_for_case(report.id) if applied else []
    asked = any(entry.action == AuditAction.SATISFACTION_SENT for entry in entries)
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
        timeline=entries,
        undelivered=undelivered(report),
        attachments=list(report.attachments),
        # The question's audit entry commits with it: a case never asked costs no query.
        satisfaction=satisfaction.for_case(report) if asked else None,
        assessment=assessment,
        assessment_flags=[labels.get(flag, flag.replace("_", " ")) for flag in assessment.flags]
        if assessment
        else None,
        case_reviews=reviews,
        may_apply_for_review=report.kind in current_policy().asb_kinds
        and report.anonymised_at is None
        and not any(review.is_open for review in reviews),
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
