"""Back-office accounts: creating, disabling and signing in. Rules live here, not in views or commands."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal import audit
from portal.extensions import db
from portal.models import User
from portal.models.types import utcnow
from portal.models.user import ROLES
from portal.triage.contract import is_valid_email, normalise_email

MIN_PASSWORD_LENGTH = 12
# Checked against when the account does not exist, so an unknown email takes as long as a wrong
# password and the answer cannot tell the two apart.
_DUMMY_HASH = generate_password_hash("not-a-real-password-for-timing", method="scrypt")


class AccountError(ValueError):
    """An account request that cannot be done; the message says what to fix."""


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters")


def find_user(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == normalise_email(email))).first()


def create_user(email: str, name: str, role: str, password: str, by: User | None = None) -> User:
    email = normalise_email(email)
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
    user.set_password(password)
    db.session.add(user)
    audit.record("account_created", actor=by, after={"role": role}, detail=email)
    db.session.commit()
    return user


def disable_user(email: str, by: User | None = None) -> User:
    return _set_active(email, False, by)


def enable_user(email: str, by: User | None = None) -> User:
    return _set_active(email, True, by)


def _set_active(email: str, active: bool, by: User | None) -> User:
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {normalise_email(email)}")
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
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_signed_in_at = utcnow()
    db.session.commit()
    return user


def sign_out_everywhere(user: User) -> None:
    """End every session of this account, wherever it is signed in."""
    user.end_sessions()
    db.session.commit()
