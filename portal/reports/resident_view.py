"""What a signed-in resident sees of their own report: where it has got to, in plain words.

Only what was written for the resident, or is about the report's progress: the reference, the kind,
the status, the day of first contact, the updates officers emailed, the ASB Case Review position
(from the flags, then, once they apply, where the application stands), and the incidents the
resident added, in their own words. Never the triage decision or a later assessment (route, score,
risk, flags' names, reasons), internal notes, who has the
case, or anything about other reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal.cases import case_review as applications
from portal.extensions import db
from portal.models import CaseNote, Incident, Report
from portal.reports.operations import case_review_position
from portal.text.labels import KIND_TITLES

STATUS_WORDS = {
    "new": "We have received your report",
    "in_progress": "An officer is working on it",
    "awaiting_resident": "We are waiting to hear from you",
    "closed": "Closed",
}


@dataclass(frozen=True)
class Update:
    sent_at: datetime
    text: str


@dataclass(frozen=True)
class ResidentIncident:
    """An incident the resident added: what they wrote of it, never how it was assessed."""

    added_at: datetime
    occurred_on: date
    time_of_day: str
    what_happened: str


@dataclass(frozen=True)
class ResidentView:
    reference: str
    kind_title: str
    status: str  # in the resident's words
    submitted_at: datetime
    first_contact_on: date | None
    updates: tuple[Update, ...]  # newest first
    case_review: str | None  # "eligible", "explained" or None, for templates/partials/case_review.html
    closed: bool = False  # a closed case takes no more incidents: a new problem is a new report
    incidents: tuple[ResidentIncident, ...] = ()  # newest first
    # Once they have applied for an ASB Case Review: where the newest application stands, in words.
    review_position: str | None = None
    may_apply_for_review: bool = False  # told of the Case Review, with no application open


def for_resident(report_id: int) -> ResidentView | None:
    """The resident's view of the report ``report_id``, or None if there is none."""
    report = db.session.get(Report, report_id)
    if report is None:
        return None
    updates = db.session.execute(
        select(CaseNote.created_at, CaseNote.text)
        .where(CaseNote.report_id == report.id, CaseNote.kind == "update")
        .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
    )
    position = case_review_position(report.flags)
    latest = applications.latest_review(report.id)
    return ResidentView(
        reference=report.reference,
        kind_title=KIND_TITLES[report.kind],
        status=STATUS_WORDS[report.status],
        submitted_at=report.submitted_at,
        first_contact_on=report.first_contact_on,
        updates=tuple(Update(at, text) for at, text in updates),
        closed=report.status == "closed",
        incidents=tuple(
            ResidentIncident(*row)
            for row in db.session.execute(
                select(
                    Incident.created_at, Incident.occurred_on, Incident.time_of_day, Incident.what_happened
                )
                .where(Incident.report_id == report.id)
                .order_by(Incident.created_at.desc(), Incident.id.desc())
            )
        ),
        case_review=position,
        review_position=applications.position(latest) if latest is not None else None,
        may_apply_for_review=position is not None
        and (latest is None or not latest.is_open)
        and applications.resident_refusal(report) is None,
    )
