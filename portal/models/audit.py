from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from portal.models.report import Report
    from portal.models.user import User


class AuditAction(StrEnum):
    """Every action the audit log records: the one list, stored as its value. ``AUDIT_WORDS`` says
    each as a short heading; ``portal.cases.timeline`` says a case's entries in full, with their values."""

    # On a case
    VIEWED = "viewed"  # opening a case
    CLAIMED = "claimed"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    FIRST_CONTACT = "first_contact"
    REROUTED = "rerouted"
    NOTE_ADDED = "note_added"
    UPDATE_SENT = "update_sent"
    UPDATE_POSTED = "update_posted"  # on the resident's report page only: email is not safe for them
    SATISFACTION_SENT = "satisfaction_sent"  # the question emailed when the case was closed
    SATISFACTION_ANSWERED = "satisfaction_answered"  # by the resident, through the emailed link
    RESIDENT_CODE_CREATED = "resident_code_created"  # for the resident to sign in and see their report
    RESIDENT_SIGNED_IN = "resident_signed_in"  # to see their report, by an emailed link or a code
    RESIDENT_CODE_VOIDED = "resident_code_voided"  # too many wrong tries: someone may be guessing
    INCIDENT_ADDED = "incident_added"  # by the signed-in resident, to their own case
    MEDIATION_RECORDED = "mediation_recorded"
    TARGET_HARDENING_RECORDED = "target_hardening_recorded"
    TASKING_RECORDED = "tasking_recorded"
    TASKING_ACTION_ADDED = "tasking_action_added"
    TASKING_ACTION_DONE = "tasking_action_done"
    CAMERA_DEPLOYED = "camera_deployed"
    POWER_USED = "power_used"
    # The steps of an ASB Case Review after its threshold decision (portal/cases/case_review_steps.py)
    CASE_REVIEW_MEETING_RECORDED = "case_review_meeting_recorded"
    CASE_REVIEW_RECOMMENDATION_ADDED = "case_review_recommendation_added"
    CASE_REVIEW_RECOMMENDATION_DONE = "case_review_recommendation_done"
    CASE_REVIEW_OUTCOME_SENT = "case_review_outcome_sent"
    CASE_REVIEW_ESCALATED = "case_review_escalated"
    CASE_REVIEW_ESCALATION_DECIDED = "case_review_escalation_decided"
    CASE_REVIEW_APPLIED = "case_review_applied"  # an application for an ASB Case Review, online or taken
    CASE_REVIEW_DECIDED = "case_review_decided"  # the officer's threshold decision on it
    ANONYMISED = "anonymised"  # by the retention job
    # What left the portal as a file: an evidence file downloaded from a case, a CSV export of the
    # queue or the agenda (against no case), and a subject access export (one entry per case).
    DOWNLOADED = "evidence_downloaded"
    EXPORTED = "exported"
    EXPORTED_FOR_SUBJECT_ACCESS = "exported_for_subject_access"
    # On an account (the entry's detail names it)
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_ENABLED = "account_enabled"
    ACCOUNT_DISABLED = "account_disabled"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  # nosec B105  (an action's name)
    PASSWORD_RESET = "password_reset"  # noqa: S105  # nosec B105  (an action's name)
    TWO_FACTOR_ENROLLED = "two_factor_enrolled"
    TWO_FACTOR_RESET = "two_factor_reset"


AUDIT_WORDS: dict[AuditAction, str] = {
    AuditAction.VIEWED: "Viewed",
    AuditAction.CLAIMED: "Claimed",
    AuditAction.ASSIGNED: "Assigned",
    AuditAction.STATUS_CHANGED: "Status changed",
    AuditAction.FIRST_CONTACT: "First contact recorded",
    AuditAction.REROUTED: "Re-routed",
    AuditAction.NOTE_ADDED: "Internal note added",
    AuditAction.UPDATE_SENT: "Update emailed to the resident",
    AuditAction.UPDATE_POSTED: "Update put on the resident's report page (not emailed)",
    AuditAction.SATISFACTION_SENT: "Satisfaction question sent",
    AuditAction.SATISFACTION_ANSWERED: "Resident answered the satisfaction question",
    AuditAction.RESIDENT_CODE_CREATED: "Sign-in code made for the resident",
    AuditAction.RESIDENT_SIGNED_IN: "Resident signed in to see their report",
    AuditAction.RESIDENT_CODE_VOIDED: "Sign-in code void after too many wrong tries",
    AuditAction.INCIDENT_ADDED: "The resident added an incident",
    AuditAction.MEDIATION_RECORDED: "Mediation recorded",
    AuditAction.TARGET_HARDENING_RECORDED: "Target hardening recorded",
    AuditAction.TASKING_RECORDED: "Tasking meeting recorded",
    AuditAction.TASKING_ACTION_ADDED: "Tasking action added",
    AuditAction.TASKING_ACTION_DONE: "Tasking action done",
    AuditAction.CAMERA_DEPLOYED: "Wildlife camera deployment recorded",
    AuditAction.POWER_USED: "ASB tool or power recorded",
    AuditAction.CASE_REVIEW_MEETING_RECORDED: "ASB Case Review meeting recorded",
    AuditAction.CASE_REVIEW_RECOMMENDATION_ADDED: "ASB Case Review recommendation added",
    AuditAction.CASE_REVIEW_RECOMMENDATION_DONE: "ASB Case Review recommendation done",
    AuditAction.CASE_REVIEW_OUTCOME_SENT: "ASB Case Review outcome letter sent",
    AuditAction.CASE_REVIEW_ESCALATED: "ASB Case Review escalated",
    AuditAction.CASE_REVIEW_ESCALATION_DECIDED: "ASB Case Review escalation decided",
    AuditAction.CASE_REVIEW_APPLIED: "Applied for an ASB Case Review",
    AuditAction.CASE_REVIEW_DECIDED: "ASB Case Review threshold decided",
    AuditAction.ANONYMISED: "Anonymised at the end of its retention period",
    AuditAction.DOWNLOADED: "Downloaded",
    AuditAction.EXPORTED: "Exported",
    AuditAction.EXPORTED_FOR_SUBJECT_ACCESS: "Exported for a subject access request",
    AuditAction.ACCOUNT_CREATED: "Account created",
    AuditAction.ACCOUNT_ENABLED: "Account enabled",
    AuditAction.ACCOUNT_DISABLED: "Account disabled",
    AuditAction.PASSWORD_CHANGED: "Password changed",
    AuditAction.PASSWORD_RESET: "Password reset",
    AuditAction.TWO_FACTOR_ENROLLED: "Two-factor authentication set up",
    AuditAction.TWO_FACTOR_RESET: "Two-factor authentication reset",
}
FILE_ACTIONS = (AuditAction.DOWNLOADED, AuditAction.EXPORTED, AuditAction.EXPORTED_FOR_SUBJECT_ACCESS)
# Written as literals, not bound values, so that both databases see the partial indexes apply.
IS_VIEW = text(f"action = '{AuditAction.VIEWED.value}'")
IS_CHANGE = text(f"action != '{AuditAction.VIEWED.value}'")
WHERE_VIEW: dict[str, Any] = {"sqlite_where": IS_VIEW, "postgresql_where": IS_VIEW}
WHERE_CHANGE: dict[str, Any] = {"sqlite_where": IS_CHANGE, "postgresql_where": IS_CHANGE}
IS_FILE = text("action IN ({})".format(", ".join(f"'{action.value}'" for action in FILE_ACTIONS)))
WHERE_FILE: dict[str, Any] = {"sqlite_where": IS_FILE, "postgresql_where": IS_FILE}


class AuditEvent(db.Model):  # type: ignore[name-defined]
    """One entry of a case's append-only record: who did what, when, and what it was before and after.

    Rows are only ever added: the mapper refuses updates and deletes, and so does the database
    (triggers in migration 0004).
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)

    actor = relationship("User")

    __table_args__ = (
        Index("ix_audit_event_report_id_at", "report_id", "at"),
        # A case's timeline and who has looked at it (migration 0011): a case opened thousands of
        # times keeps its changes and its views apart, so neither is read through the other.
        Index("ix_audit_event_changes", "report_id", "at", "id", **WHERE_CHANGE),
        Index("ix_audit_event_views", "report_id", "actor_id", "at", **WHERE_VIEW),
        # Every download and export, newest first, across cases (migration 0014).
        Index("ix_audit_event_files", "at", "id", **WHERE_FILE),
    )


class AuditIsAppendOnly(RuntimeError):
    """Something tried to change or remove an audit entry."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse(_mapper: Any, _connection: Any, entry: AuditEvent) -> None:
    raise AuditIsAppendOnly(f"audit entry {entry.id} cannot be changed or removed")


def record(
    action: AuditAction,
    *,
    actor: User | None,
    report: Report | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """The one way to write the audit log: note who did what to which case, with the values before
    and after. The entry joins the caller's transaction and commits with the change."""
    entry = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        report_id=report.id if report is not None else None,
        before=before,
        after=after,
        detail=detail,
    )
    db.session.add(entry)
    return entry
