"""Database behaviour that differs by engine, kept in one place.

SQLite: WAL journal so readers never wait for the writer, foreign keys enforced, and write
transactions that take the write lock up front (``BEGIN IMMEDIATE``), so two writers queue on the
busy timeout instead of one failing at once with "database is locked" when it upgrades a read
lock. A write transaction is any transaction in a state-changing request (nothing changes state on
GET or HEAD) or outside a request (commands and jobs); reads on GET stay ``DEFERRED``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from portal.extensions import db

_BEGIN_OPTION = "portal_sqlite_begin"
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_engine(engine: Engine) -> None:
    """Install the per-engine behaviour; call once per engine."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Straight to the driver: this runs at the start of every transaction, and going through
        # SQLAlchemy's statement machinery for one fixed word was a tenth of a page view's time.
        connection.connection.dbapi_connection.execute(f"BEGIN {_begin_mode(connection)}")  # type: ignore[union-attr]


def _begin_mode(connection: Connection) -> str:
    explicit = connection.get_execution_options().get(_BEGIN_OPTION)
    if explicit:
        return str(explicit)
    if has_request_context() and request.method in _READ_ONLY_METHODS:
        return "DEFERRED"
    return "IMMEDIATE"


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block in a fresh transaction that holds the write lock from its start, and commit.

    On PostgreSQL this is an ordinary transaction; row locks taken inside it do the queuing.
    Anything the session had open is committed first, so the block starts on a clean slate.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
