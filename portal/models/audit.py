from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

VIEWED = "viewed"  # the action of opening a case
# What left the portal as a file: an evidence file downloaded from a case, a CSV export of the queue
# or the agenda (against no case), and a subject access export (one entry per case it held).
DOWNLOADED = "evidence_downloaded"
EXPORTED = "exported"
EXPORTED_FOR_SUBJECT_ACCESS = "exported_for_subject_access"
FILE_ACTIONS = (DOWNLOADED, EXPORTED, EXPORTED_FOR_SUBJECT_ACCESS)
# Written as literals, not bound values, so that both databases see the partial indexes apply.
IS_VIEW = text(f"action = '{VIEWED}'")
IS_CHANGE = text(f"action != '{VIEWED}'")
WHERE_VIEW: dict[str, Any] = {"sqlite_where": IS_VIEW, "postgresql_where": IS_VIEW}
WHERE_CHANGE: dict[str, Any] = {"sqlite_where": IS_CHANGE, "postgresql_where": IS_CHANGE}
IS_FILE = text("action IN ({})".format(", ".join(f"'{action}'" for action in FILE_ACTIONS)))
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
        # Every download and export, newest first, across cases (migration 0013).
        Index("ix_audit_event_files", "at", "id", **WHERE_FILE),
    )


class AuditIsAppendOnly(RuntimeError):
    """Something tried to change or remove an audit entry."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse(_mapper: Any, _connection: Any, entry: AuditEvent) -> None:
    raise AuditIsAppendOnly(f"audit entry {entry.id} cannot be changed or removed")
