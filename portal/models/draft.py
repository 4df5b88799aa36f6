from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow


class Draft(db.Model):  # type: ignore[name-defined]
    """A resident's answers between question pages, kept on the server and never in the cookie."""

    __tablename__ = "draft"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The question pages answered so far, in the order first answered.
    completed: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # For a link to continue on another browser (portal/reports/drafts.py): a keyed hash of the
    # reporter's email, only while they say it is safe to email them, and the hash of the one
    # link sent, with when it stops working. Never the link itself.
    resume_email_hash: Mapped[str | None] = mapped_column(String(64))
    resume_token_hash: Mapped[str | None] = mapped_column(String(64))
    resume_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments = relationship("Attachment", back_populates="draft", order_by="Attachment.id")

    __table_args__ = (
        Index("ix_draft_expires_at", "expires_at"),
        Index("ix_draft_resume_email_hash", "resume_email_hash"),
        Index("ix_draft_resume_token_hash", "resume_token_hash", unique=True),
    )

    def renew(self, lifetime: timedelta) -> None:
        """Keep the draft for another full ``lifetime`` from now."""
        now = utcnow()
        self.updated_at = now
        self.expires_at = now + lifetime
