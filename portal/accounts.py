"""Back-office accounts: creating, disabling and signing in. Rules live here, not in views or commands."""

from __future__ import annotations

import gzip
import hmac
import secrets
import unicodedata
from datetime import datetime
from functools import cache
from pathlib import Path

import pyotp
from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from portal import audit
from portal.extensions import db
from portal.models import User
from portal.models.types import utcnow
from portal.models.user import ROLES
from portal.triage.contract import is_valid_email

MIN_PASSWORD_LENGTH = 12
# The 10,000 most common passwords, most common first, from the list Django ships (Royce
# Williams' list of leaked passwords, BSD licence).
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"
# A code is accepted for its own 30-second step and the steps either side (clocks drift).
TOTP_VALID_WINDOW = 1


class AccountError(ValueError):
    """An account request that cannot be done; the message says what to fix."""


@cache
def _dummy_hash(method: str) -> str:
    """Checked against when the account does not exist, so that an unknown email takes as long as a
    wrong password and the answer cannot tell the two apart."""
    return generate_password_hash("not-a-real-password-for-timing", method=method)


def _password_hash_method() -> str:
    return str(current_app.config["PASSWORD_HASH_METHOD"])


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip().lower() in common_passwords():
        raise AccountError("That password is one of the most common passwords: choose another")


def account_key(email: str) -> str:
    """The one form of an account's email: what it is stored as, looked up by and limited by.

    Every way of writing the same address gives the same key, so a sign-in limit counted by this
    key cannot be dodged by writing the address another way: Unicode look-alikes are folded
    (NFKC: a full-width "ｏ" is "o"), control and format characters (NUL, a zero-width space)
    and whitespace anywhere are dropped (an email address has none), and case is ignored.
    """
    folded = unicodedata.normalize("NFKC", email)
    kept = "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "CZ")
    return unicodedata.normalize("NFKC", kept.lower())


def find_user(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == account_key(email))).first()


def create_user(email: str, name: str, role: str, password: str, by: User | None = None) -> User:
    email = account_key(email)
    if not is_valid_email(email):
        raise AccountError(f"{email!r} is not an email address")
    if not name.strip():
        raise AccountError("Give the person's name")
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}")
    check_password_rules(password)
    if find_user(email) is not None:
        raise AccountError(f"There is already an account for {email}")
    user = User(email=email, name=name.strip(), role=role, active=True)
    user.set_password(password, _password_hash_method())
    db.session.add(user)
    audit.record("account_created", actor=by, after={"role": role}, detail=email)
    db.session.commit()
    return user


def disable_user(email: str, by: User | None = None) -> User:
    return _set_active(email, False, by)


def retire_user(email: str, by: User | None = None) -> User:
    """Disable an account for good: its sessions end and its password becomes one no one knows,
    so enabling it again later does not bring back a password that was ever written down."""
    user = disable_user(email, by)
    user.set_password(secrets.token_urlsafe(32), _password_hash_method())
    db.session.commit()
    return user


def enable_user(email: str, by: User | None = None) -> User:
    return _set_active(email, True, by)


def _set_active(email: str, active: bool, by: User | None) -> User:
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {account_key(email)}")
    if by is not None and by.id == user.id and not active:
        raise AccountError("You cannot disable your own account")
    before = user.active
    user.active = active
    if not active:
        user.end_sessions()
    audit.record(
        "account_enabled" if active else "account_disabled",
        actor=by,
        before={"active": before},
        after={"active": active},
        detail=user.email,
    )
    db.session.commit()
    return user


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.name)))


def authenticate(email: str, password: str) -> User | None:
    """The active account with this email and password, or None: the same for every failure."""
    user = find_user(email)
    if user is None:
        User(password_hash=_dummy_hash(_password_hash_method())).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_signed_in_at = utcnow()
    db.session.commit()
    return user


# Two-factor authentication: a time-based one-time code (RFC 6238) from an authenticator app.
# Every officer enrols at their first sign-in; until then the account cannot reach a case.


def two_factor_set_up_secret(user: User) -> str:
    """The secret this account is enrolling with, made once and kept until a code confirms it."""
    if user.totp_pending_secret is None:
        user.totp_pending_secret = pyotp.random_base32()
        db.session.commit()
    return user.totp_pending_secret


def two_factor_uri(user: User, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _matching_step(secret: str, code: str, at: datetime) -> int | None:
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(at)
    for candidate in range(step - TOTP_VALID_WINDOW, step + TOTP_VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _use_step(user: User, step: int) -> bool:
    """Mark this time step used, once: a code already used (here or in a racing request) fails."""
    used = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(user)
    return bool(used.rowcount == 1)  # type: ignore[attr-defined]


def confirm_two_factor(user: User, code: str, at: datetime | None = None) -> bool:
    """Finish enrolment with a code from the new secret; False if the code is not right."""
    secret = user.totp_pending_secret
    if secret is None:
        return False
    step = _matching_step(secret, code, at or utcnow())
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_pending_secret = None
    user.totp_last_step = step
    user.totp_enrolled_at = utcnow()
    audit.record("two_factor_enrolled", actor=user, detail=user.email)
    db.session.commit()
    return True


def verify_two_factor(user: User, code: str, at: datetime | None = None) -> bool:
    """Whether ``code`` is the account's current code, not used before. Using it uses it up."""
    if user.totp_secret is None:
        return False
    step = _matching_step(user.totp_secret, code, at or utcnow())
    return step is not None and _use_step(user, step)


def reset_two_factor(email: str, by: User | None = None) -> User:
    """For a lost phone: the account enrols again at its next sign-in, and its sessions end."""
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {account_key(email)}")
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    user.totp_enrolled_at = None
    user.end_sessions()
    audit.record("two_factor_reset", actor=by, detail=user.email)
    db.session.commit()
    return user


def sign_out_everywhere(user: User) -> None:
    """End every session of this account, wherever it is signed in."""
    user.end_sessions()
    db.session.commit()
