"""How a resident signs in to see their report: only through a channel they said is safe.

There is no account and no password. A resident whose email is safe asks for a link
(``send_sign_in_link``): it is emailed only when the reference and the email address match a report
that may be emailed, and the caller tells everyone the same whatever happened. A resident whose
email is not safe gets a code from an officer (``portal/cases/resident_code.py``), given over the
channel the case page names as safe.

A link is a random token (``portal/reports/links.py``) that works once, within
``RESIDENT_LINK_MINUTES``; a code works once, within ``RESIDENT_CODE_HOURS``, and is void after
``RESIDENT_CODE_ATTEMPTS`` wrong tries. Only hashes are kept, one live link and one live code a case:
a new one replaces the last. Each is spent by a conditional update, so of two presses at once only
one signs in. Anonymising a case deletes its rows (``forget``).

Signing in keeps one more row: the hash of a random token the browser's session holds. The portal,
not the cookie, decides whether a browser is still signed in: the row goes at "Sign out", when an
officer makes a new code (``end_sign_ins``), when the case is anonymised, and when another browser
signs in to the case, and it lasts ``RESIDENT_SIGN_IN_HOURS`` at most, however busy. A copy of the
cookie is then worth nothing.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import ColumnElement, bindparam, case, delete, select, update

from portal.database import write_transaction
from portal.extensions import db
from portal.mail import queue_email
from portal.models import Report, ResidentSignIn, audit
from portal.models.audit import AuditAction
from portal.models.resident_access import CODE, LINK, SIGNED_IN
from portal.models.types import utcnow
from portal.reports import links
from portal.triage.contract import normalise_email

PURPOSE = "resident_sign_in_link"
_REPORT_BY_REFERENCE = select(Report).where(Report.reference == bindparam("reference"))


def normalise_reference(typed: str) -> str:
    """A reference as typed, in capitals without spaces: "dio-2026-000123 " is "DIO-2026-000123"."""
    return "".join(typed.split()).upper()[:20]


def link_minutes() -> int:
    return int(current_app.config["RESIDENT_LINK_MINUTES"])


def _find(reference: str) -> Report | None:
    return db.session.scalars(_REPORT_BY_REFERENCE, {"reference": normalise_reference(reference)}).first()


def issue(report: Report, channel: str, secret_hash: str, lifetime: timedelta) -> None:
    """Keep ``secret_hash`` as the case's one live way in of ``channel``, replacing the last.

    Runs inside the caller's transaction. The case's row is locked first: two first links at once
    (no row of theirs yet to lock) wait for each other rather than both inserting.
    """
    db.session.execute(select(Report.id).where(Report.id == report.id).with_for_update())
    row = db.session.scalars(
        select(ResidentSignIn)
        .where(ResidentSignIn.report_id == report.id, ResidentSignIn.channel == channel)
        .with_for_update()
    ).first()
    if row is None:
        row = ResidentSignIn(report_id=report.id, channel=channel)
        db.session.add(row)
    row.secret_hash = secret_hash
    row.expires_at = utcnow() + lifetime
    row.failed_attempts = 0
    row.created_at = utcnow()


def send_sign_in_link(reference: str, email: str) -> None:
    """Email a sign-in link if ``reference`` and ``email`` match a report that may be emailed.

    Says nothing of whether one did: the caller tells everyone the same.
    """
    with write_transaction():
        report = _find(reference)
        if report is None or not report.can_be_emailed or not report.email_key:
            return
        if report.email_key != normalise_email(email):
            return
        token = links.new_token()
        issue(report, LINK, links.token_hash(token), timedelta(minutes=link_minutes()))
        queue_email(
            purpose=PURPOSE,
            recipient=report.reporter_email,
            subject="Sign in to check your report",
            template="resident_sign_in_link",
            context={
                "link": f"{current_app.config['PUBLIC_BASE_URL']}/your-report/sign-in/{token}",
                "minutes": link_minutes(),
            },
            report_id=report.id,
        )


def _live_link(token: str) -> tuple[ColumnElement[bool], ...]:
    return (
        ResidentSignIn.channel == LINK,
        ResidentSignIn.secret_hash == links.token_hash(token),
        ResidentSignIn.expires_at > utcnow(),
    )


def link_works(token: str) -> bool:
    """Whether ``token`` is a sign-in link not yet used and not expired."""
    return db.session.scalar(select(ResidentSignIn.id).where(*_live_link(token))) is not None


def use_sign_in_link(token: str) -> str | None:
    """Spend the link ``token``: a sign-in to its case (``signed_in_case``), or None if it was used,
    has expired or is unknown."""
    with write_transaction():
        report_id = db.session.scalar(
            update(ResidentSignIn)
            .where(*_live_link(token))
            .values(secret_hash=None)
            .returning(ResidentSignIn.report_id)
        )
        return _signed_in(report_id, "by an emailed link")


def code_hash(code: str) -> str:
    return links.code_hash(code, str(current_app.config["SECRET_KEY"]))


def use_code(reference: str, code: str) -> str | None:
    """Spend ``code`` for the case ``reference``: a sign-in to it, or None for a wrong, expired or used
    code.

    A wrong code counts against the case's code, which is void after ``RESIDENT_CODE_ATTEMPTS``.
    """
    attempts = int(current_app.config["RESIDENT_CODE_ATTEMPTS"])
    with write_transaction():
        report = _find(reference)
        if report is None:
            return None
        this_case = (
            ResidentSignIn.report_id == report.id,
            ResidentSignIn.channel == CODE,
            ResidentSignIn.secret_hash.is_not(None),
            ResidentSignIn.expires_at > utcnow(),
        )
        report_id = db.session.scalar(
            update(ResidentSignIn)
            .where(*this_case, ResidentSignIn.secret_hash == code_hash(code))
            .values(secret_hash=None)
            .returning(ResidentSignIn.report_id)
        )
        if report_id is None:
            tried = ResidentSignIn.failed_attempts + 1
            now_tried = db.session.scalar(
                update(ResidentSignIn)
                .where(*this_case)
                .values(
                    failed_attempts=tried,
                    secret_hash=case((tried >= attempts, None), else_=ResidentSignIn.secret_hash),
                )
                .returning(ResidentSignIn.failed_attempts)
                .execution_options(synchronize_session=False)
            )
            if now_tried is not None and now_tried >= attempts:
                # On the timeline: the officer can tell the resident, and someone may be guessing.
                audit.record(
                    AuditAction.RESIDENT_CODE_VOIDED,
                    actor=None,
                    report=report,
                    detail=f"{now_tried} wrong codes: the officer can make a new one",
                )
            return None
        return _signed_in(report_id, "with a code from an officer")


def _signed_in(report_id: int | None, how: str) -> str | None:
    """The token of a new sign-in to the case ``report_id``, ending any before it."""
    if report_id is None:
        return None
    report = db.session.get(Report, report_id)
    if report is None or report.anonymised_at is not None:
        return None
    token = links.new_token()
    hours = int(current_app.config["RESIDENT_SIGN_IN_HOURS"])
    issue(report, SIGNED_IN, links.token_hash(token), timedelta(hours=hours))
    audit.record(AuditAction.RESIDENT_SIGNED_IN, actor=None, report=report, detail=how)
    return token


def signed_in_case(token: str) -> int | None:
    """The case the sign-in ``token`` is for, while it lasts; None once it has ended."""
    return db.session.scalar(
        select(ResidentSignIn.report_id)
        .join(Report, Report.id == ResidentSignIn.report_id)
        .where(
            ResidentSignIn.channel == SIGNED_IN,
            ResidentSignIn.secret_hash == links.token_hash(token),
            ResidentSignIn.expires_at > utcnow(),
            Report.anonymised_at.is_(None),
        )
    )


def sign_out(token: str) -> None:
    """End the sign-in ``token``."""
    with write_transaction():
        db.session.execute(
            delete(ResidentSignIn)
            .where(ResidentSignIn.channel == SIGNED_IN, ResidentSignIn.secret_hash == links.token_hash(token))
            .execution_options(synchronize_session=False)
        )


def end_sign_ins(report_id: int) -> None:
    """End whatever browser is signed in to the case, inside the caller's transaction."""
    db.session.execute(
        delete(ResidentSignIn)
        .where(ResidentSignIn.report_id == report_id, ResidentSignIn.channel == SIGNED_IN)
        .execution_options(synchronize_session=False)
    )


def forget(report_id: int) -> None:
    """Delete every link and code of a case (when it is anonymised): none may be used again."""
    db.session.execute(
        delete(ResidentSignIn)
        .where(ResidentSignIn.report_id == report_id)
        .execution_options(synchronize_session=False)
    )
