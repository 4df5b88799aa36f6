"""Two-factor authentication: a time-based one-time code (RFC 6238) from an authenticator app.

Every officer enrols at their first sign-in; until then the account cannot reach a case.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import pyotp
from sqlalchemy import update

from portal.accounts.rules import AccountError, account_key
from portal.accounts.users import find_user
from portal.extensions import db
from portal.models import User, audit
from portal.models.audit import AuditAction
from portal.models.types import utcnow

# A code is accepted for its own 30-second step and the steps either side (clocks drift).
TOTP_VALID_WINDOW = 1


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
    audit.record(AuditAction.TWO_FACTOR_ENROLLED, actor=user, detail=user.email)
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
    audit.record(AuditAction.TWO_FACTOR_RESET, actor=by, detail=user.email)
    db.session.commit()
    return user
