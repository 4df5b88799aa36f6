"""Back-office accounts: creating, finding, disabling and signing in."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from portal.accounts.roles import ROLES
from portal.accounts.rules import (
    AccountError,
    account_key,
    check_password_rules,
    dummy_hash,
    password_hash_method,
)
from portal.extensions import db
from portal.models import User, audit
from portal.models.audit import AuditAction
from portal.models.types import utcnow
from portal.triage.contract import is_valid_email


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
    user.set_password(password, password_hash_method())
    db.session.add(user)
    audit.record(
        AuditAction.ACCOUNT_CREATED,
        actor=by,
        after={"role": role, "one_time_password": one_time},
        detail=email,
    )
    db.session.commit()
    return user


def disable_user(email: str, by: User | None = None) -> User:
    return _set_active(email, False, by)


def retire_user(email: str, by: User | None = None) -> User:
    """Disable an account for good: its sessions end and its password becomes one no one knows,
    so enabling it again later does not bring back a password that was ever written down."""
    user = disable_user(email, by)
    user.set_password(secrets.token_urlsafe(32), password_hash_method())
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
        AuditAction.ACCOUNT_ENABLED if active else AuditAction.ACCOUNT_DISABLED,
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
        User(password_hash=dummy_hash(password_hash_method())).check_password(password)
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
