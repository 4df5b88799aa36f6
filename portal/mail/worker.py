"""``flask outbox work``: the mail worker, a long-running process of its own.

Web workers only queue email; this process sends it. It wakes as soon as a transaction that
queued email commits (PostgreSQL ``LISTEN outbox``, fed by a trigger on the outbox table) or, on
SQLite, polls every ``OUTBOX_POLL_SECONDS``. Each pass gives back messages whose sender's lease
ran out, then sends what is due. Several workers may run at once: a message is claimed by one.
SIGTERM (or Ctrl+C) stops it between two messages; the message being sent is finished first,
within its deadline.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import suppress
from datetime import datetime
from typing import Any, Protocol

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.mail.outbox import deliver, next_due_at, release_expired
from portal.models.types import utcnow

log = logging.getLogger(__name__)

# Listening on PostgreSQL, the worker still looks this often: for retries falling due and in case
# a notification was missed while it reconnected.
LISTEN_SAFETY_SECONDS = 5.0
# A pass that found the database away waits this long before the next.
DATABASE_AWAY_SECONDS = 1.0
BATCH = 500


class Waker(Protocol):
    def wait(self, seconds: float, stop: threading.Event) -> None: ...

    def close(self) -> None: ...


class _Poll:
    """SQLite has no notifications: look again after a short sleep."""

    def wait(self, seconds: float, stop: threading.Event) -> None:
        stop.wait(seconds)

    def close(self) -> None:
        pass


class _Listen:
    """Sleep until PostgreSQL says email was queued, the time is up, or the worker is stopped."""

    def __init__(self, url: str) -> None:
        self.conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection: Any = None

    def _listen(self) -> Any:
        import psycopg

        connection = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
        connection.execute("LISTEN outbox")
        return connection

    def wait(self, seconds: float, stop: threading.Event) -> None:
        import psycopg

        until = time.monotonic() + seconds
        while not stop.is_set():
            remaining = until - time.monotonic()
            if remaining <= 0:
                return
            try:
                if self.connection is None:
                    self.connection = self._listen()
                    return  # a pass now, in case email was queued while not listening
                # In slices of a second, so that SIGTERM is heard promptly.
                for _notification in self.connection.notifies(timeout=min(remaining, 1.0), stop_after=1):
                    return
            except psycopg.Error:
                log.warning("outbox worker: listening connection lost; reconnecting")
                self.close()
                stop.wait(min(remaining, DATABASE_AWAY_SECONDS))

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with suppress(Exception):  # it is being thrown away
                connection.close()


def _waker(app: Flask) -> Waker:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    return _Listen(url) if make_url(url).get_backend_name() == "postgresql" else _Poll()


def _seconds_until(when: datetime | None, longest: float) -> float:
    if when is None:
        return longest
    return min(max((when - utcnow()).total_seconds(), 0.0), longest)


def work_once(*, should_stop: Any = None, limit: int = BATCH) -> bool:
    """One pass: give back lapsed leases, send what is due. Whether more were due than it took."""
    release_expired()
    report = deliver(limit=limit, should_stop=should_stop)
    return len(report.sent) + len(report.retrying) + len(report.failed) >= limit


def work(app: Flask, stop: threading.Event) -> None:
    """Send email until ``stop`` is set. Never exits on a database or mail server that is away."""
    waker = _waker(app)
    idle = LISTEN_SAFETY_SECONDS if isinstance(waker, _Listen) else app.config["OUTBOX_POLL_SECONDS"]
    log.info("outbox worker started")
    try:
        while not stop.is_set():
            with app.app_context():
                try:
                    more = work_once(should_stop=stop.is_set)
                    wait = 0.0 if more else _seconds_until(next_due_at(), idle)
                except SQLAlchemyError:
                    log.warning("outbox worker: database unavailable; trying again shortly")
                    wait = DATABASE_AWAY_SECONDS
                finally:
                    db.session.remove()
            if wait > 0:
                waker.wait(wait, stop)
    finally:
        waker.close()
        log.info("outbox worker stopped")
