"""What leaves the back-office as a file: every evidence download and every CSV export is audited.

An evidence file is recorded against its case, with its number and the name it is shown by, before
it is sent; an export against no case, with who made it, what it was and what it held (its filters
and how many cases), before its first row is written. What was searched for is never kept: a
search can be a resident's name or email. Supervisors read them all on one page, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from portal.cases.queue import Filters
from portal.database import write_transaction
from portal.extensions import db
from portal.models import Attachment, AuditEvent, Report, User, audit
from portal.models.audit import IS_FILE, AuditAction

QUEUE = "queue"
AGENDA = "tasking_agenda"
CASE_REVIEW_FIGURES = "case_review_figures"
EXPORT_LABELS = {
    QUEUE: "the queue",
    AGENDA: "the tasking agenda",
    CASE_REVIEW_FIGURES: "the ASB Case Review figures",
}
RECENT_LIMIT = 200


class EvidenceNotFound(LookupError):
    """No such evidence file on that case: nothing is sent and nothing recorded."""


def download_evidence(reference: str, attachment_id: int, user: User) -> Attachment:
    """The case's evidence file, once its download is in the case's audit log.

    A file of another case, or one that does not exist, is refused before anything is written:
    no file left the portal, and an entry would put on a case something that never happened to it.
    """
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.report is None or item.report.reference != reference:
        raise EvidenceNotFound(f"There is no evidence file {attachment_id} on case {reference}")
    with write_transaction(keep_loaded=True):
        audit.record(
            AuditAction.DOWNLOADED,
            actor=user,
            report=item.report,
            after={"attachment_id": item.id, "file": item.original_name},
        )
    return item


def record_queue_export(user: User, filters: Filters, cases: int) -> None:
    """The queue is about to be exported with these filters: log it and audit it."""
    shown = {name: value for name, value in filters.query_args().items() if name != "q"}
    searched = bool(filters.search)
    current_app.logger.info(
        "queue exported", extra={"account": user.id, "filters": shown, "searched": searched, "cases": cases}
    )
    _audit_export(QUEUE, user, {**shown, "searched": searched}, cases)


def record_agenda_export(user: User, meeting: date, cases: int) -> None:
    """The tasking agenda for ``meeting`` is about to be downloaded: log it and audit it."""
    day = meeting.isoformat()
    extra = {"account": user.id, "meeting": day, "cases": cases}
    current_app.logger.info("tasking agenda downloaded", extra=extra)
    _audit_export(AGENDA, user, {"meeting": day}, cases)


def record_case_review_figures_export(user: User, year: int, applications: int) -> None:
    """The ASB Case Review figures for the financial year from 1 April ``year`` are about to be
    downloaded: log it and audit it, with how many applications they count."""
    extra = {"account": user.id, "year": year, "cases": applications}
    current_app.logger.info("case review figures downloaded", extra=extra)
    _audit_export(CASE_REVIEW_FIGURES, user, {"year": year}, applications)


def _audit_export(export: str, user: User, filters: dict[str, Any], cases: int) -> None:
    with write_transaction(keep_loaded=True):
        audit.record(
            AuditAction.EXPORTED,
            actor=user,
            after={"export": export, "filters": filters, "cases": cases},
            detail=EXPORT_LABELS[export],
        )


@dataclass(frozen=True)
class FileEntry:
    """One line of the "Downloads and exports" page."""

    at: datetime
    who: str
    reference: str | None
    what: str
    details: str


def recent_downloads_and_exports(limit: int = RECENT_LIMIT) -> list[FileEntry]:
    """The latest downloads and exports, newest first, each in words."""
    rows = db.session.execute(
        select(AuditEvent, User.name, Report.reference)
        .outerjoin(User, AuditEvent.actor_id == User.id)
        .outerjoin(Report, AuditEvent.report_id == Report.id)
        .where(IS_FILE)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [_entry(event, name, reference) for event, name, reference in rows]


def _entry(event: AuditEvent, name: str | None, reference: str | None) -> FileEntry:
    after = event.after or {}
    who = name or "The portal"
    if event.action == AuditAction.DOWNLOADED:
        return FileEntry(event.at, who, reference, f"Downloaded {after.get('file')}", "Evidence file")
    if event.action == AuditAction.EXPORTED_FOR_SUBJECT_ACCESS:
        what = "Exported for a subject access request"
        return FileEntry(event.at, who, reference, what, event.detail or "")
    filters = after.get("filters") or {}
    details = "; ".join(
        [
            f"{after.get('cases', 0)} case{'' if after.get('cases') == 1 else 's'}",
            *(f"{key.replace('_', ' ')}: {_word(value)}" for key, value in filters.items()),
        ]
    )
    label = EXPORT_LABELS.get(after.get("export", ""), str(after.get("export")))
    return FileEntry(event.at, who, None, f"Exported {label} as CSV", details)


def _word(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")
