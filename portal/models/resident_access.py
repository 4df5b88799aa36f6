from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

LINK = "link"  # emailed to a resident whose email is safe
CODE = "code"  # made by an officer, given over the channel the case page names as safe
SIGNED_IN = "signed_in"  # a browser signed in by one of them: the token its session holds


class ResidentSignIn(db.Model):  # type: ignore[name-defined]
    """The one live way a resident may sign in to see their report, of each kind: a link or a code.

    One row a case and kind: a new link or code replaces the last. Only the secret's hash is kept,
    and using it (or too many wrong codes) empties it, so it works once. Deleted when the case is
    anonymised (``portal/privacy/retention.py``). See ``portal/reports/resident_access.py``.
    """

    __tablename__ = "resident_sign_in"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"))
    channel: Mapped[str] = mapped_column(String(10))
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_resident_sign_in_report_id_channel", "report_id", "channel", unique=True),
        Index("ix_resident_sign_in_secret_hash", "secret_hash", unique=True),
    )
