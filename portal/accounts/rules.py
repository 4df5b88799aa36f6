"""What every account request is held to: the one form of an email, the password rules, and the
error that says what to fix."""

from __future__ import annotations

import gzip
import secrets
import unicodedata
from functools import cache
from pathlib import Path

from flask import current_app
from werkzeug.security import generate_password_hash

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

    Every way of writing the same address gives the same key, so a sign-in limit counted by this
    key cannot be dodged by writing the address another way: Unicode look-alikes are folded
    (NFKC: a full-width "ｏ" is "o"), control and format characters (NUL, a zero-width space)
    and whitespace anywhere are dropped (an email address has none), and case is ignored.
    """
    folded = unicodedata.normalize("NFKC", email)
    kept = "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "CZ")
    return unicodedata.normalize("NFKC", kept.lower())
