from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow


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

    __table_args__ = (Index("ix_audit_event_report_id_at", "report_id", "at"),)


class AuditIsAppendOnly(RuntimeError):
    """Something tried to change or remove an audit entry."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse(_mapper: Any, _connection: Any, entry: AuditEvent) -> None:
    raise AuditIsAppendOnly(f"audit entry {entry.id} cannot be changed or removed")
