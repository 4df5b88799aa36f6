"""An incident a resident adds to their own case, and each later assessment of a case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

# Written as a literal so that both databases see the partial index apply.
NOT_SEEN = text("seen_by_officer_at IS NULL")

TIME_OF_DAY_MAX = 100
WHAT_HAPPENED_MAX = 4000
WHO_MAX = 1000
EFFECT_MAX = 1000


class Incident(db.Model):  # type: ignore[name-defined]
    """One more incident, in the resident's words, kept with the case it belongs to (never a new
    report). Its words and files go when the case is anonymised (``portal/privacy/retention.py``)."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    time_of_day: Mapped[str] = mapped_column(String(TIME_OF_DAY_MAX), default="")
    what_happened: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(Text, default="")
    # The report's harm questions (portal.triage.contract.HARM_QUESTIONS), each true or false.
    harm: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    effect: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When an officer first opened the case page after it was added: until then the queue says
    # "new incident".
    seen_by_officer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments = relationship("Attachment", order_by="Attachment.id", viewonly=True)

    __table_args__ = (
        Index("ix_incident_report_id_created_at", "report_id", "created_at"),
        # The queue's "new incident" marker and filter (migration 0022): the unseen incidents only.
        Index("ix_incident_unseen", "report_id", sqlite_where=NOT_SEEN, postgresql_where=NOT_SEEN),
    )


class Reassessment(db.Model):  # type: ignore[name-defined]
    """A later assessment of a case, made when an incident was added: the decision's columns, as
    ``Report`` keeps its first decision, which is never rewritten."""

    __tablename__ = "reassessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    route: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(64))
    risk_score: Mapped[int] = mapped_column(Integer)
    risk_level: Mapped[str] = mapped_column(String(16))
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    safeguarding: Mapped[bool] = mapped_column(Boolean, default=False)
    due_by: Mapped[date] = mapped_column(Date)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(64))
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # How the level changed from the assessment before, in words: "raised to high: …".
    change: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_reassessment_report_id_id", "report_id", "id"),)
