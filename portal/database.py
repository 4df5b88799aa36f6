"""Database behaviour that differs by engine, kept in one place.

Reads in a page view (GET or HEAD, outside ``write_transaction``) run outside any transaction,
each statement on its own, as PostgreSQL's READ COMMITTED would see them anyway: no BEGIN and no
ROLLBACK go to the database, two round trips of every page view on PostgreSQL. A session that
has changes to flush, a statement that writes, and every request that changes state or runs
outside a request (commands and jobs) get a real transaction.

SQLite: WAL journal so readers never wait for the writer, foreign keys enforced, and write
transactions that take the write lock up front (``BEGIN IMMEDIATE``), so two writers queue on the
busy timeout instead of one failing at once with "database is locked" when it upgrades a read
lock. A write transaction is any transaction in a state-changing request or outside a request.
"""

from __future__ import annotations

import os
import select
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from flask import current_app, has_request_context, request
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError

_BEGIN_OPTION = "portal_sqlite_begin"
_NO_TRANSACTION = "NONE"
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITING = "portal_writing"
# Keyed by the engine's id: each value holds its engine, so an id here is never reused by another.
_READING_ENGINES: dict[int, Engine] = {}


def configure_engine(engine: Engine) -> None:
    """Install the per-engine behaviour; call once per engine."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", _refuse_a_dropped_connection)
    if engine.dialect.name != "sqlite":
        return
    _make_private(engine.url.database)

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
        mode = _begin_mode(connection)
        if mode != _NO_TRANSACTION:
            # Straight to the driver: this runs at the start of every transaction, and going
            # through SQLAlchemy's statement machinery for one fixed word was a tenth of a page
            # view's time.
            connection.connection.dbapi_connection.execute(f"BEGIN {mode}")  # type: ignore[union-attr]


def _make_private(path: str | None) -> None:
    """Create the SQLite database file for the portal's user alone (SQLite's -wal and -shm files
    take the same permissions), so that no other local user can read residents' reports."""
    if (
        path in (None, "", ":memory:")
        or path.startswith("file:")
        or not os.path.isdir(os.path.dirname(path) or ".")
    ):
        return  # SQLite itself says what is wrong with a path it cannot open
    # Never open a database file that exists: closing any descriptor of it would drop the locks
    # SQLite holds on it in this process.
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    with suppress(PermissionError):  # another user's file: SQLite will say whether it can be used
        os.chmod(path, 0o600)


def _refuse_a_dropped_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Hand out no pooled connection that the server has dropped (a restart, a failover).

    An idle connection has nothing to read; one the server closed is readable (its goodbye, or
    the end of the stream). Looking costs a system call, not the round trip of a ping on every
    request. The pool replaces a connection refused here with a new one, so the request that
    would have met it succeeds once the server is back.
    """
    if dbapi_connection.closed or getattr(dbapi_connection, "broken", False):
        raise DisconnectionError("the connection is closed")
    looking = select.poll()  # poll, not select: any descriptor number, however many are open
    try:
        looking.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
        readable = looking.poll(0)
    except (OSError, ValueError):
        raise DisconnectionError("the connection's socket is gone") from None
    if readable:
        raise DisconnectionError("the server has dropped the connection")


def _begin_mode(connection: Connection) -> str:
    explicit = connection.get_execution_options().get(_BEGIN_OPTION)
    if explicit:
        return str(explicit)
    if has_request_context() and request.method in _READ_ONLY_METHODS:
        return "DEFERRED"
    return "IMMEDIATE"


def _reading_engine(engine: Engine) -> Engine:
    """The engine with statements run outside a transaction (shares the engine's pool)."""
    reading = _READING_ENGINES.get(id(engine))
    if reading is None:
        if engine.dialect.name == "sqlite":
            # The driver already runs each statement on its own unless told BEGIN.
            reading = engine.execution_options(**{_BEGIN_OPTION: _NO_TRANSACTION})
        else:
            reading = engine.execution_options(isolation_level="AUTOCOMMIT")
        _READING_ENGINES[id(engine)] = reading
    return reading


class PortalSession(FlaskSession):
    """The portal's database session: a page view's reads go outside any transaction."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        writes = getattr(clause, "is_dml", False) or self.new or self.dirty or self.deleted
        if (
            isinstance(engine, Engine)
            and not writes
            and not self.info.get(_WRITING)
            and has_request_context()
            and request.method in _READ_ONLY_METHODS
        ):
            return _reading_engine(engine)
        return engine


@contextmanager
def write_transaction(keep_loaded: bool = False) -> Iterator[None]:
    """Run the block in a fresh transaction that holds the write lock from its start, and commit.

    On PostgreSQL this is an ordinary transaction; row locks taken inside it do the queuing.
    Anything the session had open is committed first, so the block starts on a clean slate.
    With ``keep_loaded``, what was read before is not reloaded after the commit (a page about to
    show what it read, having noted that it was read).
    """
    # The app's Flask-SQLAlchemy, looked up rather than imported: portal.extensions builds its
    # session on this module, and this module stays below it.
    session = current_app.extensions["sqlalchemy"].session()
    expire_on_commit = session.expire_on_commit
    if keep_loaded:
        session.expire_on_commit = False
    try:
        if session.in_transaction():
            session.commit()
        session.info[_WRITING] = True
        session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_WRITING, None)
        session.expire_on_commit = expire_on_commit
