"""The retention period: how long the portal keeps what residents told it, and removing it after.

``apply_retention`` is the one place personal data goes when its time is up. A closed case keeps
the resident's personal data for ``RETENTION_MONTHS`` (24 by default) after it was closed; then it
is anonymised, and only what the council's yearly figures count stays.

Anonymising a case removes:

- who the resident is: name, email, phone, and the keys matched on them (name, email, phone and
  postcode keys), so the case never again counts in anyone's history or search;
- what they said and where: the description and the address (free text), and their evidence
  files, from disk and from the database;
- free text officers wrote that can name or describe people: internal notes and public updates,
  a re-route's reason, the tasking decision and actions, where a camera was put up, the name of
  the person a power was served on, the "other items" of target hardening;
- what the resident wrote in each incident they added to the case (what happened, when in the
  day, who was involved, how it affected them) and its evidence files, which are the case's;
- the comment the resident gave with their satisfaction answer (the answer stays: it is counted);
- the emails of the case once they are finished with (sent or failed), as below.

Residents' feedback on the service keeps its comment, free text that may name someone, for the same
``RETENTION_MONTHS`` after the day it was sent (only the day is kept); then the comment goes and the
rating stays.

It keeps the kind, types, yes/no and harm answers, ward, dates, route, risk level, flags, status,
outcome and the records' dates, counts and choices: none of them says who anyone is once the
words and contact details are gone, and the figures are made from them.

The triage decision is kept whole: its reasons and explanation are built only from the policy's
own wording and the answers' categories (see ``portal.triage.conditions.explain``), never from
the resident's words, and the decision is never rewritten (``DecisionRewritten``).

The audit log is append-only and is not touched: see ``README.md`` (Data protection) for the
personal data its entries can still hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, or_, select, update

from portal.database import write_transaction
from portal.extensions import db
from portal.models import (
    CameraDeployment,
    CaseNote,
    CaseReview,
    Feedback,
    Incident,
    OutboxMessage,
    PowerUse,
    Report,
    SatisfactionQuestion,
    TargetHardeningRecord,
    TaskingAction,
    TaskingRecord,
    audit,
)
from portal.models.audit import AuditAction
from portal.models.outbox import FAILED, SENT
from portal.models.types import utcnow
from portal.reports import evidence, resident_access
from portal.reports.drafts import purge_expired_drafts
from portal.triage.calendar import london_date
from portal.triage.history import window

# What an officer reads where the resident's or an officer's words were.
REMOVED = "Removed at the end of the retention period"

# Emails addressed to the council's own inboxes, not to a resident: the safeguarding alert goes to
# the duty officer's team mailbox, and a case's officer is told of a new incident at their work
# address. Neither address is personal data of a resident and each says where an email went, so
# it is kept; every other recipient is a resident's own address and is blanked once sent.
STAFF_PURPOSES = ("safeguarding_alert", "incident_added")

# Who the resident is, and the keys matched on it: blanked, so they never match again.
IDENTITY_COLUMNS = (
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "name_key",
    "email_key",
    "phone_key",
    "postcode",
    # How to reach the resident safely: when to call, and a trusted person or another way to them.
    "safe_call_times",
    "safe_alternative_contact",
)
# Yes/no answers about the resident's phone, which mean nothing once the number is gone: set to
# None, "not asked".
CONTACT_ANSWER_COLUMNS = ("voicemail_ok", "text_ok")
# What the resident wrote, and what officers wrote about the case, replaced by REMOVED.
RESIDENT_TEXT_COLUMNS = ("description", "address", "override_reason")
# Free text in the records of the work, per model. Who owns an action and who served a power are
# kept: they name officers or agencies acting for the partnership, not the resident.
WORK_TEXT_COLUMNS: tuple[tuple[Any, str], ...] = (
    (TargetHardeningRecord, "other_items"),
    (TaskingRecord, "decision"),
    (TaskingAction, "description"),
    (CameraDeployment, "location"),
    (PowerUse, "served_on_name"),
    # An ASB Case Review's application (what the applicant said, who applied for the victim and how
    # to reach them, how the victim consented, the officer's note) and its record of its steps: what
    # the victim said, and what the review, its letter and any escalation said about the case. Its
    # channel, chair, agencies, stages and dates are kept for the figures.
    (CaseReview, "account"),
    (CaseReview, "applicant_name"),
    (CaseReview, "consent_how"),
    (CaseReview, "decision_note"),
    (CaseReview, "victim_views"),
    (CaseReview, "findings"),
    (CaseReview, "outcome_summary"),
    (CaseReview, "escalation_reason"),
    (CaseReview, "escalation_note"),
)
# How to reach someone who applied for a Case Review for the victim: emptied, as the reporter's are.
CONTACT_COLUMNS: tuple[tuple[Any, str], ...] = (
    (CaseReview, "applicant_email"),
    (CaseReview, "applicant_phone"),
)


@dataclass
class RetentionResult:
    """What one run of ``apply_retention`` did."""

    reports_anonymised: int = 0
    evidence_files_deleted: int = 0
    drafts_deleted: int = 0
    emails_emptied: int = 0
    feedback_comments_removed: int = 0

    def summary(self) -> str:
        return ", ".join(
            (
                _count(self.reports_anonymised, "report anonymised", "reports anonymised"),
                _count(self.evidence_files_deleted, "evidence file deleted", "evidence files deleted"),
                _count(self.drafts_deleted, "expired draft deleted", "expired drafts deleted"),
                _count(self.emails_emptied, "email emptied", "emails emptied"),
                _count(
                    self.feedback_comments_removed, "feedback comment removed", "feedback comments removed"
                ),
            )
        )


def apply_retention(now: datetime | None = None) -> RetentionResult:
    """Anonymise closed cases past the retention period, purge expired drafts, empty sent emails,
    and remove feedback comments past the period.

    Each case is anonymised in its own transaction with its audit entry, so a run stopped part-way
    keeps what it did, and the next run finishes the rest. A second run finds nothing more to do.
    """
    now = now or utcnow()
    months = current_app.config["RETENTION_MONTHS"]
    result = RetentionResult()
    result.emails_emptied = empty_sent_emails()
    for report_id in reports_past_retention(now, months):
        outcome = anonymise_report(report_id, now, months)
        if outcome is not None:
            files, emails = outcome
            result.reports_anonymised += 1
            result.evidence_files_deleted += files
            result.emails_emptied += emails
    result.drafts_deleted = purge_expired_drafts(now)
    result.feedback_comments_removed = remove_old_feedback_comments(now, months)
    return result


def remove_old_feedback_comments(now: datetime, months: int) -> int:
    """Replace the comment of feedback sent more than ``months`` ago with REMOVED; the rating stays.

    Only the day feedback was sent is kept, so its comment goes once that whole day is past the period.
    """
    with write_transaction():
        removed = db.session.execute(
            update(Feedback)
            .where(
                Feedback.submitted_on < london_date(retention_cutoff(now, months)),
                Feedback.comment != "",
                Feedback.comment != REMOVED,
            )
            .values(comment=REMOVED)
            .execution_options(synchronize_session=False)
        )
    return int(removed.rowcount or 0)  # type: ignore[attr-defined]


def retention_cutoff(now: datetime, months: int) -> datetime:
    """Cases closed before this instant are past the retention period (months on the London clock)."""
    start, _end = window(now, months)
    return start


def _past_retention(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    # A case reopened and closed again after it was anonymised may have gathered new notes: it is
    # anonymised again once its new closing date is past the period.
    return (
        Report.status == "closed",
        Report.closed_at < cutoff,
        or_(Report.anonymised_at.is_(None), Report.anonymised_at < Report.closed_at),
    )


def reports_past_retention(now: datetime, months: int) -> list[int]:
    """The ids of closed cases whose personal data is due to go."""
    ids = list(
        db.session.scalars(
            select(Report.id).where(*_past_retention(retention_cutoff(now, months))).order_by(Report.id)
        )
    )
    db.session.commit()
    return ids


def anonymise_report(report_id: int, now: datetime, months: int) -> tuple[int, int] | None:
    """Remove the personal data of one closed case, with its audit entry, in one transaction.

    Returns how many evidence files and emails went, or None if the case is no longer due (it was
    reopened, or another run got there first).
    """
    with write_transaction():
        report = db.session.scalars(
            select(Report)
            .where(Report.id == report_id, *_past_retention(retention_cutoff(now, months)))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if report is None:
            return None
        for name in IDENTITY_COLUMNS:
            setattr(report, name, "")
        for name in CONTACT_ANSWER_COLUMNS:
            setattr(report, name, None)
        for name in RESIDENT_TEXT_COLUMNS:
            setattr(report, name, _removed(getattr(report, name)))
        notes = _redact_notes(report.id)
        resident_access.forget(report.id)  # no link or code may open it again
        records = _redact_work_records(report.id)
        incidents = _redact_incidents(report.id)
        db.session.execute(
            update(SatisfactionQuestion)
            .where(SatisfactionQuestion.report_id == report.id, SatisfactionQuestion.comment != "")
            .values(comment=REMOVED)
            .execution_options(synchronize_session=False)
        )
        emails = _empty_emails(OutboxMessage.report_id == report.id, OutboxMessage.status.in_((SENT, FAILED)))
        # Files go before the commit: if it fails, the rows are still there and the next run
        # deletes them (a missing file is no error), so no file is ever left without its row.
        files = 0
        for attachment in list(report.attachments):
            evidence.delete_file(attachment)
            db.session.delete(attachment)
            files += 1
        report.anonymised_at = now
        audit.record(
            AuditAction.ANONYMISED,
            actor=None,
            report=report,
            after={
                "evidence_files_deleted": files,
                "notes_redacted": notes,
                "work_records_redacted": records,
                # Said only of a case with incidents, which most cases never have.
                **({"incidents_redacted": incidents} if incidents else {}),
                "emails_emptied": emails,
            },
            detail=f"the resident's personal data was removed {months} months after the case was closed",
        )
    return files, emails


def empty_sent_emails() -> int:
    """Empty the bodies of sent emails, and blank their recipient when it is a resident's address.

    Once sent, an email is never read again by the portal: the report and its notes hold what it
    said. The row stays, with its purpose, subject (a reference only), status and timestamps, so
    the outbox still shows what was sent when, and ``deliver`` (which only reads pending rows) is
    unaffected. Pending and sending rows are never touched: they are still to be delivered.
    """
    with write_transaction():
        return _empty_emails(OutboxMessage.status == SENT)


def _empty_emails(*criteria: ColumnElement[bool]) -> int:
    staff = OutboxMessage.purpose.in_(STAFF_PURPOSES)
    has_body = or_(OutboxMessage.body_text != "", OutboxMessage.body_html != "")
    to_staff = db.session.execute(
        update(OutboxMessage)
        .where(*criteria, staff, has_body)
        .values(body_text="", body_html="")
        .execution_options(synchronize_session=False)
    )
    to_residents = db.session.execute(
        update(OutboxMessage)
        .where(*criteria, ~staff, or_(has_body, OutboxMessage.recipient != ""))
        .values(body_text="", body_html="", recipient="")
        .execution_options(synchronize_session=False)
    )
    return int((to_staff.rowcount or 0) + (to_residents.rowcount or 0))  # type: ignore[attr-defined]


def _redact_notes(report_id: int) -> int:
    notes = db.session.scalars(
        select(CaseNote).where(CaseNote.report_id == report_id, CaseNote.text != REMOVED)
    ).all()
    for note in notes:
        note.text = REMOVED
    return len(notes)


def _redact_incidents(report_id: int) -> int:
    """The resident's words in each incident they added; its harm answers and days stay, as the
    report's do. Its files are the case's attachments, deleted with the rest."""
    rows = db.session.scalars(
        select(Incident).where(Incident.report_id == report_id, Incident.what_happened != REMOVED)
    ).all()
    for incident in rows:
        incident.what_happened = REMOVED
        incident.time_of_day = _removed(incident.time_of_day) or ""
        incident.who = _removed(incident.who) or ""
        incident.effect = _removed(incident.effect) or ""
    return len(rows)


def _redact_work_records(report_id: int) -> int:
    redacted = 0
    for model, column in WORK_TEXT_COLUMNS:
        field = getattr(model, column)
        rows = db.session.scalars(
            select(model).where(model.report_id == report_id, field != "", field != REMOVED)
        ).all()
        for row in rows:
            setattr(row, column, REMOVED)
        redacted += len(rows)
    for model, column in CONTACT_COLUMNS:
        field = getattr(model, column)
        rows = db.session.scalars(select(model).where(model.report_id == report_id, field != "")).all()
        for row in rows:
            setattr(row, column, "")
        redacted += len(rows)
    return redacted


def _removed(text: str | None) -> str | None:
    """REMOVED in place of any text; nothing stays nothing, so an empty answer stays "Not given"."""
    return REMOVED if text else text


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"
