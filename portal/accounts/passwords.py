"""Passwords. An account made or reset by an administrator has a one-time password: the first
sign-in asks for the officer's own before it lets them in, so no one else knows it."""

from __future__ import annotations

from portal.accounts.rules import (
    AccountError,
    account_key,
    check_password_rules,
    one_time_password,
    password_hash_method,
)
from portal.accounts.two_factor import verify_two_factor
from portal.accounts.users import find_user
from portal.extensions import db
from portal.models import User, audit
from portal.models.audit import AuditAction


def _choose_password(user: User, new: str) -> None:
    try:
        check_password_rules(new)
    except AccountError as error:
        raise AccountError(str(error), field="new_password") from None
    if user.check_password(new):
        raise AccountError("Choose a new password, not the one you signed in with", field="new_password")
    user.set_password(new, password_hash_method())
    user.password_must_change = False
    user.end_sessions()  # every other session ends: it was opened with the old password


def set_first_password(user: User, new: str) -> None:
    """At a sign-in with a one-time password, once the second factor is proved: the officer's own."""
    if not user.password_must_change:
        raise AccountError("This account already has a password of its own")
    _choose_password(user, new)
    audit.record(
        AuditAction.PASSWORD_CHANGED, actor=user, after={"one_time_replaced": True}, detail=user.email
    )
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
    audit.record(
        AuditAction.PASSWORD_CHANGED, actor=user, after={"one_time_replaced": False}, detail=user.email
    )
    db.session.commit()


def reset_password(email: str, by: User | None = None) -> tuple[User, str]:
    """For a forgotten password: a new one-time password, and every session of the account ends."""
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {account_key(email)}")
    if by is not None and by.id == user.id:
        raise AccountError("You cannot reset your own password: change it from your account instead")
    password = one_time_password()
    user.set_password(password, password_hash_method())
    user.password_must_change = True
    user.end_sessions()
    audit.record(AuditAction.PASSWORD_RESET, actor=by, detail=user.email)
    db.session.commit()
    return user, password
