"""The transactional outbox.

An email is saved as a ``pending`` row in the same transaction as the change that caused it, so
the two commit or roll back together and mail being down never loses a report. No web request
ever talks to a mail server: the mail worker (``flask outbox work``, portal/mail/worker.py) or,
on a cron-only install, ``flask outbox send`` calls ``deliver``.

``deliver`` claims each due row (``pending`` to ``sending``, a compare-and-set that only one
sender can win) with a short lease, which it renews while the message is being sent; a sender
that dies gives its messages back when the lease runs out (``release_expired``). A deadline
bounds the whole SMTP conversation of one message, not each read. A sent row is marked ``sent``
once; a failure goes back to ``pending`` with exponential backoff until ``OUTBOX_MAX_ATTEMPTS``,
after which it is ``failed``, shown on the case page and counted on ``/healthz``.

The guarantee is at least once (docs/outbox.md): if a sender stops after the mail server has
accepted a message and before the row is marked sent, the message goes again when the lease
runs out, with the same ``Message-ID``.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr
from typing import Any

from flask import Flask, current_app, render_template
from flask_mail import Connection, Message
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.models import OutboxMessage
from portal.models.outbox import FAILED, PENDING, SENDING, SENT
from portal.models.types import utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
# Emails that carry a link that works (continue a draft, answer the satisfaction question, sign in
# to a report): their bodies are emptied as soon as they are sent or given up, so the database
# holds a working link only while its email waits to be sent. The portal keeps only the link's hash.
LINK_PURPOSES = frozenset({"resume_link", "satisfaction_question", "resident_sign_in_link"})
# How long a sender keeps trying to mark a message sent while the database is away.
SENT_PATIENCE_SECONDS = 10.0


class HeaderInjectionError(ValueError):
    """A header value held a line break, which could smuggle extra headers into an email."""


def _check_header(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise HeaderInjectionError(f"the {name} of an email must not contain a line break")
    return value


def _message_id() -> str:
    """A new, globally unique Message-ID in the sender's own domain."""
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    domain = address.rpartition("@")[2] or "do-it-online"
    return make_msgid(idstring="outbox", domain=domain)


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
        message_id=_message_id(),
        status=PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def sender_name() -> str:
    """This process, as it signs the leases it takes: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


class DeadlinePassed(OSError):
    """The mail server did not finish taking one message within ``MAIL_DEADLINE``."""


class _Deadline:
    """The time one message may take, from opening the connection to the server's last answer."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.passed = False

    def remaining(self) -> float:
        return max(self.at - time.monotonic(), 0.0)

    def timeout(self, per_read: float) -> float:
        """A socket timeout for the next step: never past the deadline."""
        remaining = self.remaining()
        if remaining <= 0:
            self.passed = True
            raise DeadlinePassed("the mail server took longer than the deadline")
        return min(per_read, remaining)


class _TimedConnection(Connection):
    """Flask-Mail's SMTP connection, each step of which ends by the message's deadline.

    The SMTP object is handed to ``on_host`` before it connects, so that the deadline's watchdog
    can cut a slow greeting, EHLO, STARTTLS or login as well as the message itself.
    """

    def __init__(self, mail: Any, deadline: _Deadline, on_host: Any) -> None:
        super().__init__(mail)
        self.deadline = deadline
        self.on_host = on_host

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        timeout = self.deadline.timeout(current_app.config["MAIL_TIMEOUT"])
        host: smtplib.SMTP | smtplib.SMTP_SSL
        host = smtplib.SMTP_SSL(timeout=timeout) if self.mail.use_ssl else smtplib.SMTP(timeout=timeout)
        self.on_host(host)
        host.connect(self.mail.server, self.mail.port)
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
            f", {self.released} given back after a sender stopped" if self.released else ""
        )


def _backoff(attempts: int) -> timedelta:
    base = current_app.config["OUTBOX_BACKOFF_SECONDS"]
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])


def release_expired(now: datetime | None = None) -> int:
    """Give back the messages whose sender stopped renewing its lease (it died or hung)."""
    now = now or utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.lease_expires_at < now)
        .values(status=PENDING, claimed_at=None, lease_expires_at=None, claimed_by=None)
    )
    db.session.commit()
    released = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if released:
        log.warning("outbox messages given back after their lease ran out", extra={"count": released})
    return released


def next_due_at() -> datetime | None:
    """When the next pending message falls due (None when nothing is pending)."""
    when = db.session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == PENDING)
    )
    db.session.commit()
    return when


def failed_count() -> int:
    """Emails given up after their last attempt: each needs an officer to act."""
    return int(db.session.scalar(select(func.count()).where(OutboxMessage.status == FAILED)) or 0)


@dataclass(frozen=True)
class _Claimed:
    """A message this sender has claimed: everything needed to send it, read before sending."""

    id: int
    claimed_at: datetime
    attempts: int
    purpose: str
    message: Message


def _claim(message_id: int, now: datetime, sender: str) -> _Claimed | None:
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
        .values(
            status=SENDING, claimed_at=claimed_at, lease_expires_at=claimed_at + _lease(), claimed_by=sender
        )
    )
    if (result.rowcount or 0) != 1:  # type: ignore[attr-defined]
        db.session.commit()
        return None  # another sender has it
    row = db.session.get(OutboxMessage, message_id)
    assert row is not None
    claimed = _Claimed(row.id, claimed_at, row.attempts, row.purpose, _to_message(row))
    db.session.commit()
    return claimed


def _still_ours(claimed: _Claimed) -> Any:
    return (
        OutboxMessage.id == claimed.id,
        OutboxMessage.status == SENDING,
        OutboxMessage.claimed_at == claimed.claimed_at,
    )


def _finish(claimed: _Claimed, values: dict[str, Any], *, patience: float = 0.0) -> bool:
    """Record the outcome, if the claim is still this sender's (its lease has not run out).

    With ``patience``, a database that is away (restarting, failing over) is tried again for that
    long: a message the mail server has taken is then marked sent, not sent again.
    """
    give_up_at = time.monotonic() + patience
    while True:
        try:
            result = db.session.execute(update(OutboxMessage).where(*_still_ours(claimed)).values(**values))
            db.session.commit()
            return (result.rowcount or 0) == 1  # type: ignore[attr-defined]
        except OperationalError:
            db.session.rollback()
            if time.monotonic() >= give_up_at:
                raise
            time.sleep(1.0)


@contextmanager
def _lease_renewed(app: Flask, claimed: _Claimed) -> Iterator[None]:
    """Renew the claim's lease every third of its length until the block ends.

    The renewals run on a thread of their own with their own connection, as the sending thread
    is blocked on the mail server.
    """
    lease = timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"])
    done = threading.Event()

    def renew() -> None:
        with app.app_context():
            while not done.wait(lease.total_seconds() / 3):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(
                            update(OutboxMessage)
                            .where(*_still_ours(claimed))
                            .values(lease_expires_at=utcnow() + lease)
                        )
                except Exception:  # the database is away: the lease may run out, and that is safe
                    log.warning("outbox lease not renewed", extra={"outbox_id": claimed.id})

    renewer = threading.Thread(target=renew, name=f"outbox-lease-{claimed.id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        # A renewal stuck on an unreachable database must not hold up the sender: the lease
        # then runs out, which is safe.
        renewer.join(timeout=lease.total_seconds())


def _to_message(row: OutboxMessage) -> Message:
    message = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    message.msgId = row.message_id  # the same on every attempt
    return message


def _error_text(error: BaseException) -> str:
    """The failure, for officers: its kind and the server's code, never an address or a body."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: SMTP {error.smtp_code}"
    if isinstance(error, DeadlinePassed):
        return f"{type(error).__name__}: no answer within {current_app.config['MAIL_DEADLINE']} s"
    if isinstance(error, OSError) and error.strerror:
        return f"{type(error).__name__}: {error.strerror}"
    return type(error).__name__


class _Sender:
    """One SMTP connection, reused for a run of messages, each message within its own deadline."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.connection: _TimedConnection | None = None
        self._lock = threading.Lock()
        self._deadline: _Deadline | None = None  # the deadline of the message in hand
        self._host: smtplib.SMTP | None = None  # the SMTP object, from before it connects

    def _hold(self, host: smtplib.SMTP) -> None:
        with self._lock:
            self._host = host

    def send(self, message: Message) -> None:
        deadline = _Deadline(self.app.config["MAIL_DEADLINE"])
        with self._lock:
            self._deadline = deadline
        watchdog = threading.Timer(deadline.remaining(), self._cut_off, args=(deadline,))
        watchdog.daemon = True
        watchdog.start()
        try:
            if self.connection is None:
                self.connection = _TimedConnection(self.app.extensions["mail"], deadline, self._hold)
                self.connection.__enter__()
            else:
                self.connection.deadline = deadline
            host = self.connection.host
            if host is not None and host.sock is not None:
                host.sock.settimeout(deadline.timeout(self.app.config["MAIL_TIMEOUT"]))
            self.connection.send(message)
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            if deadline.passed or deadline.remaining() <= 0:
                raise DeadlinePassed("the mail server took longer than the deadline") from error
            raise
        finally:
            with self._lock:
                self._deadline = None  # a watchdog firing from now on finds nothing to cut
            watchdog.cancel()

    def _cut_off(self, deadline: _Deadline) -> None:
        """At the deadline, end the conversation: the blocked read fails at once."""
        with self._lock:
            if self._deadline is not deadline:
                return  # that message was done in time; the connection serves the next
            deadline.passed = True
            sock = getattr(self._host, "sock", None)
            if sock is not None:
                with suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        connection, self.connection = self.connection, None
        with self._lock:
            self._host = None
        if connection is not None and connection.host is not None:
            try:
                connection.host.quit()
            except (smtplib.SMTPException, OSError):
                connection.host.close()


def deliver(
    message_ids: Iterable[int] | None = None,
    *,
    now: datetime | None = None,
    limit: int = 500,
    should_stop: Any = None,
) -> DeliveryReport:
    """Send due outbox rows (only ``message_ids`` when given), each marked sent once.

    ``should_stop`` (a callable) is asked before each message: the worker's SIGTERM stops it
    between messages, never in the middle of one.
    """
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

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    sender, name = _Sender(app), sender_name()
    try:
        for message_id in due:
            if should_stop is not None and should_stop():
                break
            claimed = _claim(message_id, now, name)
            if claimed is None:
                continue
            try:
                with _lease_renewed(app, claimed):
                    sender.send(claimed.message)
            except (smtplib.SMTPException, OSError) as error:
                _record_failure(claimed, error, report)
                continue
            except Exception as error:
                # A message no mail server can be given (an address that cannot be written in
                # ASCII, a header Flask-Mail refuses): trying again would fail the same way, and
                # a worker that stopped on it would stop on it again after every restart.
                sender.close()
                _record_failure(claimed, error, report, final=True)
                continue
            marked = _finish(
                claimed,
                {
                    "status": SENT,
                    "sent_at": utcnow(),
                    "last_error": None,
                    "attempts": claimed.attempts + 1,
                    "lease_expires_at": None,
                    **_link_emptied(claimed),
                },
                patience=SENT_PATIENCE_SECONDS,
            )
            report.sent.append(claimed.id)
            if marked:
                log.info("outbox message sent", extra={"outbox_id": claimed.id, "purpose": claimed.purpose})
            else:
                log.warning(
                    "outbox message sent after its lease ran out: it may be sent again",
                    extra={"outbox_id": claimed.id},
                )
    finally:
        sender.close()
    return report


def _link_emptied(claimed: _Claimed) -> dict[str, str]:
    """The values that empty a sent or given-up email's body, when it carries a working link."""
    return {"body_text": "", "body_html": ""} if claimed.purpose in LINK_PURPOSES else {}


def _record_failure(
    claimed: _Claimed, error: BaseException, report: DeliveryReport, *, final: bool = False
) -> None:
    attempts = claimed.attempts + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_error": _error_text(error),
        "claimed_at": None,
        "lease_expires_at": None,
        "claimed_by": None,
    }
    if final or attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        values["status"] = FAILED
        values.update(_link_emptied(claimed))
        report.failed.append(claimed.id)
    else:
        values.update(status=PENDING, next_attempt_at=utcnow() + _backoff(attempts))
        report.retrying.append(claimed.id)
    _finish(claimed, values)
    log.warning(
        "outbox message not sent",
        extra={"outbox_id": claimed.id, "attempts": attempts, "error": type(error).__name__},
    )
