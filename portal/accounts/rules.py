"""What every account request is held to: the one form of an email, the password rules, and the
error that says what to fix."""

from __future__ import annotations

import gzip
import secrets
from functools import cache
from pathlib import Path

from flask import current_app
from werkzeug.security import generate_password_hash

from portal.triage.contract import normalise_email

MIN_PASSWORD_LENGTH = 12
# The 10,000 most common passwords, most common first, from the list Django ships (Royce
# Williams' list of leaked passwords, BSD licence).
COMMON_PASSWORDS_FILE = Path(__file__).parent.parent / "data" / "common-passwords.txt.gz"


class AccountError(ValueError):
    """An account request that cannot be done; the message says what to fix, and ``field`` which
    answer of a form it is about, where it is about one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@cache
def dummy_hash(method: str) -> str:
    """Checked against when the account does not exist, so that an unknown email takes as long as a
    wrong password and the answer cannot tell the two apart."""
    return generate_password_hash("not-a-real-password-for-timing", method=method)


def password_hash_method() -> str:
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


def one_time_password() -> str:
    """A password for an administrator to give over a safe channel: 4 groups of 4, easy to read out."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mix up
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def account_key(email: str) -> str:
    """The one form of an account's email: what it is stored as, looked up by and limited by.

    It is the portal's one form of any address (``contract.normalise_email``), so a sign-in limit
    counted by it cannot be dodged by writing the address another way.
    """
    return normalise_email(email)
