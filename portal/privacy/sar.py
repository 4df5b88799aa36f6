"""Subject access: everything the portal holds about a reporter, found by their email, in one zip.

The reporter is found the way a report's history finds them: by the normalised email
(``normalise_email``) stored as each report's ``email_key``. Anonymous reports and reports
anonymised after the retention period hold no email, so they can no longer be tied to anyone.

The zip holds ``export.json`` (every report with all its answers, the triage decision and the
reasons officers see, where the case has got to, each incident the resident added to the case and
each later assessment of it, each application for an ASB Case Review with its threshold decision,
the victim's views, the outcome letter and any escalation, the public updates, the emails sent to the
resident and the satisfaction question with their answer and comment) and each report's evidence
files under ``attachments/<reference>/``. Internal notes (and a Case Review's decision note and
findings), the records of the work, the contact details of someone who applied for the victim, and
the audit log are left out: they hold officers' and other people's personal data (the person a power
was served on, say), and are reviewed by hand before any of it is disclosed.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from portal.cases import satisfaction
from portal.database import write_transaction
from portal.extensions import db
from portal.models import (
    Attachment,
    CaseNote,
    CaseReview,
    Incident,
    OutboxMessage,
    Reassessment,
    Report,
    audit,
)
from portal.models.audit import AuditAction
from portal.models.case_review import APPLICANTS, ESCALATION_RESULTS
from portal.models.case_review import CHANNELS as CASE_REVIEW_CHANNELS
from portal.models.case_review import STAGES as CASE_REVIEW_STAGES
from portal.models.report import OUTCOMES, STATUS_LABELS
from portal.models.types import utcnow
from portal.privacy.retention import STAFF_PURPOSES
from portal.reports import evidence
from portal.text.labels import KIND_TITLES
from portal.triage.contract import is_valid_email, normalise_email

NOT_INCLUDED = (
    "Internal officer notes, the records of the work on each case and the case's audit log are not "
    "in this export: they can hold other people's personal data and are reviewed separately."
)
_UNSAFE = re.compile(r"[^\w.\- ]+")
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


class SubjectAccessError(ValueError):
    """The export cannot be made; the message says why, for the person running it."""


@dataclass(frozen=True)
class SubjectAccessExport:
    """What an export wrote."""

    path: Path
    email: str
    reports: int
    files: int


def export_subject_access(email: str, output: Path, *, requested_by: str) -> SubjectAccessExport:
    """Write everything held about the reporter with ``email`` to a new zip at ``output``.

    Records one audit entry per report exported, naming ``requested_by`` (the CLI knows no user).
    Raises ``SubjectAccessError`` for an email that is not one, no data held, or an output that
    cannot be written; then nothing is written or recorded.
    """
    if not is_valid_email(email):
        raise SubjectAccessError(f"{email!r} is not an email address")
    key = normalise_email(email)
    reports = list(
        db.session.scalars(
            select(Report).where(Report.email_key == key).order_by(Report.submitted_at, Report.id)
        )
    )
    if not reports:
        raise SubjectAccessError(
            f"No data is held about {key}: no report names that email address "
            "(anonymous and anonymised reports cannot be found by it)"
        )

    now = utcnow()
    files = _write_zip(output, key, reports, now)
    try:
        with write_transaction():
            for report in reports:
                audit.record(
                    AuditAction.EXPORTED_FOR_SUBJECT_ACCESS,
                    actor=None,
                    report=report,
                    detail=f"subject access export of the reporter's data, run from the {requested_by}",
                )
    except BaseException:
        output.unlink(missing_ok=True)
        raise
    return SubjectAccessExport(path=output, email=key, reports=len(reports), files=files)


def _write_zip(output: Path, email: str, reports: list[Report], now: datetime) -> int:
    """Create ``output`` (never over an existing file; readable by its owner only) and fill it."""
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SubjectAccessError(f"{output} already exists: choose another --output") from None
    except OSError as error:
        raise SubjectAccessError(f"{output} cannot be written: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            return _fill(out, email, reports, now)
    except OSError as error:
        output.unlink(missing_ok=True)
        raise SubjectAccessError(f"{output} could not be written: {error.strerror or error}") from None
    except BaseException:
        output.unlink(missing_ok=True)
        raise


def _fill(out: IO[bytes], email: str, reports: list[Report], now: datetime) -> int:
    files = 0
    entries = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for report in reports:
            attachments = []
            used: set[str] = set()
            for attachment in report.attachments:
                path = evidence.path_for(attachment)
                name = f"attachments/{report.reference}/{_unique(safe_filename(attachment), used)}"
                held = path.is_file()
                if held:
                    archive.write(path, name)
                    files += 1
                attachments.append(_attachment(attachment, name if held else None))
            entries.append(_report(report, attachments))
        document = {
            "email": email,
            "exported_at": _iso(now),
            "reports": entries,
            "not_included": NOT_INCLUDED,
        }
        archive.writestr("export.json", json.dumps(document, indent=2, ensure_ascii=False))
    return files


def _report(report: Report, attachments: list[dict[str, Any]]) -> dict[str, Any]:
    updates = db.session.scalars(
        select(CaseNote)
        .where(CaseNote.report_id == report.id, CaseNote.kind == "update")
        .order_by(CaseNote.created_at, CaseNote.id)
    )
    emails = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.report_id == report.id, OutboxMessage.purpose.not_in(STAFF_PURPOSES))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return {
        "reference": report.reference,
        "kind": report.kind,
        "kind_title": KIND_TITLES[report.kind],
        "submitted_at": _iso(report.submitted_at),
        # Everything the resident told us, in the report contract's shape.
        "answers": {
            key: value for key, value in report.as_contract().items() if key not in ("kind", "submitted_at")
        },
        "decision": {
            "route": report.route,
            "rule": report.rule,
            "risk_score": report.risk_score,
            "risk_level": report.risk_level,
            "flags": list(report.flags),
            "due_by": _iso(report.due_by),
            "reasons": list(report.reasons),
            "explanation": report.explanation,
            "policy_version": report.policy_version,
        },
        "case": {
            "status": STATUS_LABELS.get(report.status, report.status),
            "outcome": OUTCOMES.get(report.outcome) if report.outcome else None,
            "route_now": report.current_route,
            "rerouted_at": _iso(report.override_at),
            "reroute_reason": report.override_reason,
            "first_contact_on": _iso(report.first_contact_on),
            "first_contact_channel": report.first_contact_channel,
            "closed_at": _iso(report.closed_at),
            "last_changed_at": _iso(report.updated_at),
        },
        "incidents": [_incident(incident) for incident in _of_case(Incident, report)],
        "later_assessments": [_assessment(row) for row in _of_case(Reassessment, report)],
        "case_reviews": [_case_review(review) for review in _of_case(CaseReview, report)],
        "public_updates": [{"at": _iso(note.created_at), "text": note.text} for note in updates],
        "emails": [
            {
                "purpose": message.purpose,
                "to": message.recipient,
                "subject": message.subject,
                "status": message.status,
                "queued_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
                "text": message.body_text,
            }
            for message in emails
        ],
        "attachments": attachments,
        "satisfaction": _satisfaction(report),
    }


def _of_case(model: Any, report: Report) -> list[Any]:
    return list(db.session.scalars(select(model).where(model.report_id == report.id).order_by(model.id)))


def _incident(incident: Incident) -> dict[str, Any]:
    """An incident the resident added to the case, in their words."""
    return {
        "id": incident.id,
        "added_at": _iso(incident.created_at),
        "occurred_on": _iso(incident.occurred_on),
        "time_of_day": incident.time_of_day,
        "what_happened": incident.what_happened,
        "who": incident.who,
        "harm": dict(incident.harm),
        "effect": incident.effect,
    }


def _assessment(row: Reassessment) -> dict[str, Any]:
    """A later assessment of the case, made when an incident was added, as the decision is shown."""
    return {
        "incident_id": row.incident_id,
        "assessed_at": _iso(row.created_at),
        "route": row.route,
        "rule": row.rule,
        "risk_score": row.risk_score,
        "risk_level": row.risk_level,
        "flags": list(row.flags),
        "due_by": _iso(row.due_by),
        "reasons": list(row.reasons),
        "explanation": row.explanation,
        "change": row.change,
        "policy_version": row.policy_version,
    }


def _case_review(review: CaseReview) -> dict[str, Any]:
    """An application for an ASB Case Review on the case, and what came of it, as the applicant was told."""
    return {
        "applied_at": _iso(review.applied_at),
        "channel": CASE_REVIEW_CHANNELS.get(review.channel, review.channel),
        "applicant": APPLICANTS.get(review.applicant, review.applicant),
        "consent_given_on": _iso(review.consent_given_on),
        "what_the_applicant_said": review.account,
        "reported_elsewhere": list(review.reported_elsewhere),
        "stage": CASE_REVIEW_STAGES.get(review.stage, review.stage),
        "decision_due": _iso(review.decision_due),
        "threshold_met": review.threshold_met,
        "threshold_reasons": list(review.threshold.get("reasons", [])),
        "decided_at": _iso(review.decided_at),
        "review_meeting_on": _iso(review.meeting_on),
        "victim_invited": review.victim_invited,
        "victim_attended": review.victim_attended,
        "victim_views_in_writing": review.victim_views_in_writing,
        "victim_views": review.victim_views,
        "outcome_letter_sent_on": _iso(review.outcome_sent_on),
        "outcome_letter": review.outcome_summary,
        "escalated_on": _iso(review.escalated_on),
        "escalated_to": review.escalation_body,
        "escalation_reason": review.escalation_reason,
        "escalation_result": ESCALATION_RESULTS.get(review.escalation_result or "", review.escalation_result),
        "escalation_decided_on": _iso(review.escalation_decided_on),
    }


def _satisfaction(report: Report) -> dict[str, Any] | None:
    """The question asked when the case was closed, and the resident's answer and comment."""
    asked = satisfaction.for_case(report)
    if asked is None:
        return None
    return {
        "question": satisfaction.QUESTION,
        "sent_on": _iso(asked.sent_on),
        "answer": asked.answer,
        "comment": asked.comment,
        "answered_on": _iso(asked.answered_on),
    }


def _attachment(attachment: Attachment, name: str | None) -> dict[str, Any]:
    return {
        "file": name,
        "original_name": attachment.original_name,
        "content_type": attachment.content_type,
        "size_bytes": attachment.size_bytes,
        "sha256": attachment.sha256,
        "uploaded_at": _iso(attachment.created_at),
        "incident_id": attachment.incident_id,  # sent with an incident the resident added, or None
        **({} if name else {"missing": "the file is no longer in the evidence store"}),
    }


def safe_filename(attachment: Attachment) -> str:
    """The resident's file name, safe as a name inside a zip: letters, digits, ``.``, ``-``, ``_``."""
    name = unicodedata.normalize("NFC", attachment.original_name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")[:100].rstrip(" ._")
    if "." not in name:  # no extension left (or no name): one from what the file is
        name = (name or "evidence") + _EXTENSIONS.get(attachment.content_type, "")
    return name


def _unique(name: str, used: set[str]) -> str:
    """Two files of one report with the same name are kept apart: ``photo.jpg``, ``photo-2.jpg``."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, number = name, 1
    while candidate.lower() in used:
        number += 1
        candidate = f"{stem}-{number}{dot}{extension}"
    used.add(candidate.lower())
    return candidate


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
