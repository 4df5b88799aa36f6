from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A back-office account: a community safety officer, a supervisor or an administrator."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower case
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's identity: changing it ends every session of this account at once,
    # including copies of an old cookie (signing out, disabling).
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(32))
    # A password an administrator (or the command line) chose: it opens only the first sign-in,
    # which asks for a password of the officer's own before it lets them in.
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())
    # Two-factor authentication (TOTP). The pending secret is the one shown at enrolment, made
    # afresh for each sign-in and bound to that browser, until a code confirms it; the last step
    # is the 30-second step of the last code used, so each code works once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        self.session_token = secrets.token_hex(32)

    def set_password(self, password: str, method: str) -> None:
        """Store a salted hash of ``password`` made by ``method`` (the PASSWORD_HASH_METHOD setting)."""
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return bool(self.active)
