"""Back-office accounts for tests, and signing in as a person would: a password, then a code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
from flask import Flask
from sqlalchemy import select, update

from portal.accounts import (
    confirm_two_factor,
    create_user,
    enrolment_secret,
    set_first_password,
    start_enrolment,
)
from portal.extensions import db
from portal.models import User
from tests.helpers import Page, PageClient

PASSWORD = "a-long-test-password-123"
ONE_TIME_PASSWORD = "an-administrator-chose-this-1"


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    role: str
    totp_secret: str = ""


def make_account(app: Flask, role: str, name: str | None = None, two_factor: bool = True) -> Account:
    """An account as every officer's is after their first sign-in: enrolled in two-factor
    authentication, with a password of their own (PASSWORD) in place of the one-time one.

    Without ``two_factor`` it is a new account that has not signed in yet: PASSWORD is then the
    one-time password an administrator chose for it."""
    name = name or f"Test {role.capitalize()}"
    email = f"{name.lower().replace(' ', '.')}@council.example"
    with app.app_context():
        if not two_factor:
            user = create_user(email, name, role, PASSWORD)
            return Account(user.id, user.email, user.name, user.role)
        user = create_user(email, name, role, ONE_TIME_PASSWORD)
        binding = start_enrolment(user)
        secret = enrolment_secret(user, binding) or ""
        totp = pyotp.TOTP(secret)
        # Enrolled with the previous step's code, so that the current step's code is unused.
        now = datetime.now(UTC)
        assert confirm_two_factor(user, totp.generate_otp(totp.timecode(now) - 1), binding, at=now)
        set_first_password(user, PASSWORD)
        return Account(user.id, user.email, user.name, user.role, secret)


def fresh_code(app: Flask, account: Account) -> str:
    """A code the authenticator app would show that the account has not used yet.

    Codes are accepted for the current 30-second step and the ones either side, each once. When a
    test signs the same account in more often than that allows, the account's last used step is
    moved back, as if the test had waited for the app's next code.
    """
    totp = pyotp.TOTP(account.totp_secret)
    now_step = totp.timecode(datetime.now(UTC))
    with app.app_context():
        last = db.session.scalar(select(User.totp_last_step).where(User.id == account.id))
        # This step's code, or the next one's: both stay valid if the clock ticks on before the
        # portal checks the code (an earlier step's would not).
        step = now_step if last is None or last < now_step else last + 1
        if step > now_step + 1:
            db.session.execute(update(User).where(User.id == account.id).values(totp_last_step=now_step - 1))
            db.session.commit()
            step = now_step
    return totp.generate_otp(step)


def sign_in(client: PageClient, account: Account, password: str = PASSWORD) -> Page:
    """Give the password, then (when asked) a fresh code: the page the officer ends up on."""
    page = client.post_form("/officer/sign-in", {"email": account.email, "password": password})
    if page.path == "/officer/sign-in/code":
        page = client.post_form("/officer/sign-in/code", {"code": fresh_code(client.app, account)})
    return page
