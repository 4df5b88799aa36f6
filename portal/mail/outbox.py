"""The transactional outbox.

An email is saved as a ``pending`` row in the same transaction as the change that caused it, so
the two commit or roll back together and mail being down never loses a report. ``deliver`` then
claims each due row (``pending`` to ``sending``, a compare-and-set that only one sender can win),
sends it, and marks it ``sent`` once; a failure puts it back to ``pending`` with exponential
backoff until ``OUTBOX_MAX_ATTEMPTS``, after which it is ``failed`` for an officer to look at.
A row left ``sending`` by a sender that died is released after ``STUCK_AFTER``.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import after_this_request, current_app, has_request_context, render_template
from flask_mail import Connection, Message
from sqlalchemy import select, update
from werkzeug.wrappers.response import Response

from portal.extensions import db
from portal.models import OutboxMessage
from portal.models.outbox import FAILED, PENDING, SENDING, SENT
from portal.models.types import utcnow

log = logging.getLogger(__name__)

STUCK_AFTER = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=1)


class HeaderInjectionError(ValueError):
    """A header value held a line break, which could smuggle extra headers into an email."""


def _check_header(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise HeaderInjectionError(f"the {name} of an email must not contain a line break")
    return value


def queue_email(
    *,
    purpose: str,
    recipient: str,
    subject: str,
    template: str,
    context: Mapping[str, Any],
    report_id: int | None = None,
) -> OutboxMessage:
    """Render ``templates/mail/<template>.txt`` and ``.html`` and add the email to the session.

    The caller's transaction commits it together with the change it belongs to.
    """
    message = OutboxMessage(
        purpose=purpose,
        recipient=_check_header("recipient", recipient.strip()),
        subject=_check_header("subject", subject),
        body_text=render_template(f"mail/{template}.txt", **context),
        body_html=render_template(f"mail/{template}.html", **context),
        report_id=report_id,
        status=PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


class _TimedConnection(Connection):
    """Flask-Mail's SMTP connection, with a timeout so a hung mail server cannot hang a request."""

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        timeout = current_app.config["MAIL_TIMEOUT"]
        host: smtplib.SMTP | smtplib.SMTP_SSL
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    released: int = 0

    def summary(self) -> str:
        return f"{len(self.sent)} sent, {len(self.retrying)} to retry, {len(self.failed)} failed" + (
            f", {self.released} released after a stalled send" if self.released else ""
        )


def _backoff(attempts: int) -> timedelta:
    base = current_app.config["OUTBOX_BACKOFF_SECONDS"]
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def release_stuck(now: datetime) -> int:
    """Put back rows left ``sending`` by a sender that stopped part-way."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - STUCK_AFTER)
        .values(status=PENDING, claimed_at=None)
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Claimed:
    """A message this sender has claimed: everything needed to send it, read before sending."""

    id: int
    claimed_at: datetime
    attempts: int
    purpose: str
    message: Message


def _claim(message_id: int, now: datetime) -> _Claimed | None:
    """Take a due message for this sender (only one sender can), copy it out, and commit.

    Nothing is held open afterwards: the SMTP conversation happens outside any transaction, so on
    SQLite no resident waits for the mail server.
    """
    claimed_at = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(status=SENDING, claimed_at=claimed_at)
    )
    if (result.rowcount or 0) != 1:  # type: ignore[attr-defined]
        db.session.commit()
        return None  # another sender has it
    row = db.session.get(OutboxMessage, message_id)
    assert row is not None
    claimed = _Claimed(row.id, claimed_at, row.attempts, row.purpose, _to_message(row))
    db.session.commit()
    return claimed


def _finish(claimed: _Claimed, values: dict[str, Any]) -> bool:
    """Record the outcome, if the claim is still this sender's (not released as stalled)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == claimed.id,
            OutboxMessage.status == SENDING,
            OutboxMessage.claimed_at == claimed.claimed_at,
        )
        .values(**values)
    )
    db.session.commit()
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]


def _to_message(row: OutboxMessage) -> Message:
    return Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={"Auto-Submitted": "auto-generated"},
    )


def _error_text(error: BaseException) -> str:
    """The failure, for officers: its kind and the server's code, never an address or a body."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: SMTP {error.smtp_code}"
    if isinstance(error, OSError) and error.strerror:
        return f"{type(error).__name__}: {error.strerror}"
    return type(error).__name__


def deliver(
    message_ids: Iterable[int] | None = None, *, now: datetime | None = None, limit: int = 500
) -> DeliveryReport:
    """Send due outbox rows (only ``message_ids`` when given), each marked sent exactly once."""
    now = now or utcnow()
    report = DeliveryReport()
    query = select(OutboxMessage.id).where(
        OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now
    )
    if message_ids is not None:
        ids = list(message_ids)
        if not ids:
            return report
        query = query.where(OutboxMessage.id.in_(ids))
    due = list(db.session.scalars(query.order_by(OutboxMessage.id).limit(limit)))
    db.session.commit()

    connection: _TimedConnection | None = None
    try:
        for message_id in due:
            claimed = _claim(message_id, now)
            if claimed is None:
                continue
            try:
                if connection is None:
                    # The app's own mail state: the shared Mail object holds none after init_app.
                    connection = _TimedConnection(current_app.extensions["mail"])
                    connection.__enter__()
                connection.send(claimed.message)
            except (smtplib.SMTPException, OSError) as error:
                _close_quietly(connection)
                connection = None
                _record_failure(claimed, error, report)
                continue
            _finish(
                claimed,
                {"status": SENT, "sent_at": utcnow(), "last_error": None, "attempts": claimed.attempts + 1},
            )
            report.sent.append(claimed.id)
            log.info("outbox message sent", extra={"outbox_id": claimed.id, "purpose": claimed.purpose})
    finally:
        _close_quietly(connection)
    return report


def _close_quietly(connection: _TimedConnection | None) -> None:
    if connection is not None and connection.host is not None:
        try:
            connection.host.quit()
        except (smtplib.SMTPException, OSError):
            connection.host.close()


def _record_failure(claimed: _Claimed, error: BaseException, report: DeliveryReport) -> None:
    attempts = claimed.attempts + 1
    values: dict[str, Any] = {"attempts": attempts, "last_error": _error_text(error), "claimed_at": None}
    if attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        values["status"] = FAILED
        report.failed.append(claimed.id)
    else:
        values.update(status=PENDING, next_attempt_at=utcnow() + _backoff(attempts))
        report.retrying.append(claimed.id)
    _finish(claimed, values)
    log.warning(
        "outbox message not sent",
        extra={"outbox_id": claimed.id, "attempts": attempts, "error": type(error).__name__},
    )


def deliver_after_commit(message_ids: Iterable[int]) -> DeliveryReport | None:
    """Try the just-committed messages at once, so the resident has their email within seconds.

    In a web request they are tried once the response has gone to the browser: the resident sees
    their confirmation without waiting for the mail server, however slow it is. Elsewhere (a
    command, a job) they are tried now. Whatever fails stays in the outbox for
    ``flask outbox send``; nothing here can undo the commit.
    """
    if not current_app.config["OUTBOX_SEND_AFTER_COMMIT"]:
        return None
    ids = list(message_ids)
    if not ids:
        return None
    if has_request_context():
        _after_this_response(ids)
        return None
    return _deliver_committed(ids)


def _deliver_committed(message_ids: list[int]) -> DeliveryReport | None:
    try:
        return deliver(message_ids)
    except Exception:  # the change is committed; the outbox command will retry
        db.session.rollback()
        log.exception("delivery after commit failed; the outbox will retry")
        return None


def _after_this_response(message_ids: list[int]) -> None:
    """Deliver ``message_ids`` when the server has sent this request's response and closes it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def deliver_when_sent() -> None:
        with app.app_context():
            try:
                _deliver_committed(message_ids)
            finally:
                db.session.remove()

    @after_this_request
    def schedule(response: Response) -> Response:
        response.call_on_close(deliver_when_sent)
        return response
