"""Back-office accounts: creating, disabling and signing in. Rules live here, not in views or commands."""

from __future__ import annotations

import gzip
import hashlib
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
    """An account request that cannot be done; the message says what to fix, and ``field`` which
    answer of a form it is about, where it is about one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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


def create_user(
    email: str, name: str, role: str, password: str, by: User | None = None, *, one_time: bool = True
) -> User:
    """A new account. Its password is one-time (someone else chose it) unless ``one_time`` is False,
    which only the demonstration accounts use."""
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
    user = User(email=email, name=name.strip(), role=role, active=True, password_must_change=one_time)
    user.set_password(password, _password_hash_method())
    db.session.add(user)
    audit.record(
        "account_created", actor=by, after={"role": role, "one_time_password": one_time}, detail=email
    )
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


# Passwords. An account made or reset by an administrator has a one-time password: the first
# sign-in asks for the officer's own before it lets them in, so no one else knows it.


def one_time_password() -> str:
    """A password for an administrator to give over a safe channel: 4 groups of 4, easy to read out."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mix up
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def _choose_password(user: User, new: str) -> None:
    try:
        check_password_rules(new)
    except AccountError as error:
        raise AccountError(str(error), field="new_password") from None
    if user.check_password(new):
        raise AccountError("Choose a new password, not the one you signed in with", field="new_password")
    user.set_password(new, _password_hash_method())
    user.password_must_change = False
    user.end_sessions()  # every other session ends: it was opened with the old password


def set_first_password(user: User, new: str) -> None:
    """At a sign-in with a one-time password, once the second factor is proved: the officer's own."""
    if not user.password_must_change:
        raise AccountError("This account already has a password of its own")
    _choose_password(user, new)
    audit.record("password_changed", actor=user, after={"one_time_replaced": True}, detail=user.email)
    db.session.commit()


def change_password(user: User, current: str, new: str, code: str) -> None:
    """An officer changes their own password: the current one and a code prove it is them."""
    if not user.check_password(current):
        raise AccountError("The current password is not right", field="current_password")
    if not verify_two_factor(user, code):
        raise AccountError(
            "Enter the code your authenticator app shows now (each code works once)", field="code"
        )
    _choose_password(user, new)
    audit.record("password_changed", actor=user, after={"one_time_replaced": False}, detail=user.email)
    db.session.commit()


def reset_password(email: str, by: User | None = None) -> tuple[User, str]:
    """For a forgotten password: a new one-time password, and every session of the account ends."""
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {account_key(email)}")
    if by is not None and by.id == user.id:
        raise AccountError("You cannot reset your own password: change it from your account instead")
    password = one_time_password()
    user.set_password(password, _password_hash_method())
    user.password_must_change = True
    user.end_sessions()
    audit.record("password_reset", actor=by, detail=user.email)
    db.session.commit()
    return user, password


# Two-factor authentication: a time-based one-time code (RFC 6238) from an authenticator app.
# Every officer enrols at their first sign-in; until then the account cannot reach a case.


def _binding(secret: str) -> str:
    return hashlib.sha256(b"two-factor-enrolment:" + secret.encode()).hexdigest()[:32]


def start_enrolment(user: User) -> str:
    """A new secret for this sign-in attempt, replacing any shown before. Returns what binds it to
    the browser that asked: only that browser can see it or confirm it, so a secret seen by
    anyone who once passed the password step (whoever chose the first password) is worthless."""
    if user.has_two_factor:
        raise AccountError("This account has set up two-factor authentication already")
    user.totp_pending_secret = pyotp.random_base32()
    db.session.commit()
    return _binding(user.totp_pending_secret)


def enrolment_secret(user: User, binding: str | None) -> str | None:
    """The secret this browser is enrolling with; None if another sign-in has replaced it since."""
    secret = user.totp_pending_secret
    if secret is None or user.has_two_factor or not binding:
        return None
    return secret if hmac.compare_digest(_binding(secret), binding) else None


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


def confirm_two_factor(user: User, code: str, binding: str | None, at: datetime | None = None) -> bool:
    """Finish enrolment with a code from this browser's secret; False if the code is not right."""
    secret = enrolment_secret(user, binding)
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
