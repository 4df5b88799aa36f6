"""Test fixtures: the real migrations on SQLite or PostgreSQL, a real SMTP server, a checking client.

``DATABASE_URL`` chooses the database, as it does for the app. A PostgreSQL database is made when
the server lacks it, and wiped before the run, so its name must contain "test".
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from portal import create_app
from portal.config import load_config
from portal.extensions import db, limiter
from portal.mail.worker import work_once
from tests.evidence_files import EvidenceFiles
from tests.helpers import PageClient
from tests.officers import Account, make_account, sign_in
from tests.processes import SUITE_PASSWORD_HASH, as_configured, free_port, wait_for
from tests.template_names import RecordingUndefined


class MailCatcher:
    """An aiosmtpd handler that keeps every message it is handed.

    Reading the inbox first lets the mail worker make one pass (``send_pending``), as the
    running worker would have by the time a resident looked: web requests never send email.
    """

    def __init__(self) -> None:
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self.send_pending: Callable[[], None] | None = None
        # aiosmtpd reads every attribute of its handler, so the handler is an object of its own.
        self.handler = _Handler(self)

    def keep(self, message: EmailMessage) -> None:
        with self._lock:
            self._messages.append(message)

    @property
    def messages(self) -> list[EmailMessage]:
        if self.send_pending is not None:
            self.send_pending()
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        """Forget every email so far, those still waiting in the outbox included."""
        if self.send_pending is not None:
            self.send_pending()
        with self._lock:
            self._messages.clear()


class _Handler:
    """What the SMTP server does with each message: hands it to the catcher.

    ``delay`` makes a slow server: it answers each step (EHLO, MAIL, RCPT, DATA) that many
    seconds late.
    """

    def __init__(self, catcher: MailCatcher) -> None:
        self.catcher = catcher
        self.delay = 0.0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: Any
    ) -> Any:
        await asyncio.sleep(self.delay)
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        await asyncio.sleep(self.delay)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.catcher.keep(message)
        return "250 Message accepted for delivery"


def mail_worker_pass(app: Flask) -> None:
    """One pass of the mail worker (``flask outbox work``) over the suite's database."""
    with app.app_context():
        try:
            work_once()
        finally:
            db.session.remove()


class SMTPServer:
    """A real SMTP server on loopback that tests can stop and start (mail down, mail back)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.catcher = MailCatcher()
        self.controller: Controller | None = None

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.catcher.handler, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis of the suite's own on a free loopback port, keeping nothing on disk: its URL.

    Production counts rate limits in Redis; the tests that run the portal as production count
    here, never in a Redis someone else's work uses.
    """
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: apt-get install redis-server (make prerequisites)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    if not wait_for(lambda: _answers(client), timeout=15):
        server.kill()
        pytest.fail(f"redis-server did not answer on port {port}")
    yield url
    server.terminate()
    server.wait(timeout=15)


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server: SMTPServer) -> Iterator[MailCatcher]:
    smtp_server.start()
    smtp_server.catcher.clear()
    yield smtp_server.catcher
    smtp_server.catcher.handler.delay = 0.0
    smtp_server.start()


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{tmp_dir / 'test.sqlite3'}"
    wipe_test_database(load_config({"DATABASE_URL": url}, tmp_dir)["SQLALCHEMY_DATABASE_URI"])
    return url


def wipe_test_database(url: str) -> None:
    """Empty the database ``url`` names, first making it on a PostgreSQL server that lacks it.

    A database whose name does not contain "test" is refused before anything connects to it.
    """
    parsed = make_url(url)
    name = parsed.database or ""
    if "test" not in name:
        raise pytest.UsageError(f"refusing to wipe database {name!r}: its name must contain 'test'")
    if parsed.get_backend_name() == "postgresql":
        _create_missing_database(parsed)
    engine = create_engine(parsed)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _create_missing_database(url: URL) -> None:
    """CREATE DATABASE, from the server's maintenance database, when the named one does not exist."""
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            name = url.database
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()


# The suite makes and signs in hundreds of accounts: scrypt at a 128th of the portal's cost, which
# only PORTAL_ENV=testing accepts (tests/accounts/test_accounts.py proves the portal's own cost).


@pytest.fixture(scope="session")
def app_settings(tmp_path_factory: pytest.TempPathFactory, smtp_server: SMTPServer) -> dict[str, Any]:
    tmp_dir = tmp_path_factory.mktemp("portal")
    return {
        "PORTAL_ENV": "testing",
        "DATABASE_URL": _database_url(tmp_dir),
        "UPLOAD_FOLDER": str(tmp_dir / "uploads"),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_TIMEOUT": "5",
        "OUTBOX_BACKOFF_SECONDS": "0",
        "PASSWORD_HASH_METHOD": SUITE_PASSWORD_HASH,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
    }


def make_app(settings: dict[str, Any], **overrides: Any) -> Flask:
    """An app configured from ``settings`` as if they were the environment.

    An app made as production (or development) hashes passwords as they do: the suite's cheap
    hash, which they would refuse, is left out of its settings.
    """
    settings = as_configured(settings)
    config = load_config(settings, Path(settings["UPLOAD_FOLDER"]).parent)
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.undefined = RecordingUndefined  # our templates' undefined names, noticed
    return app


@pytest.fixture(autouse=True)
def _our_templates_use_only_names_they_are_given(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every page or email a test draws is checked: a name one of our templates uses that its view
    never gave fails the test that drew it (``tests/template_names.py`` says why not StrictUndefined).
    A test that asks for ``recorded`` reads the names itself."""
    RecordingUndefined.used.clear()
    yield
    found = sorted(set(RecordingUndefined.used))
    RecordingUndefined.used.clear()
    if "recorded" not in request.fixturenames:
        shown = "\n".join(f"{where}: {what}" for where, what in found)
        assert found == [], f"undefined in our templates:\n{shown}"


@pytest.fixture(scope="session")
def migrated_app(app_settings: dict[str, Any]) -> Flask:
    app = make_app(app_settings)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def app(migrated_app: Flask, mailbox: MailCatcher, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app over an empty database (every table emptied before each test).

    Email queued by the test goes when the test reads the inbox, through the mail worker's own
    pass; a journey in a real browser has a real worker process beside gunicorn instead.
    """
    with migrated_app.app_context():
        _empty_tables()
        limiter.reset()  # each test starts with no attempts counted against any address
    if "live_server" not in request.fixturenames:
        mailbox.send_pending = lambda: mail_worker_pass(migrated_app)
    yield migrated_app
    mailbox.send_pending = None
    with migrated_app.app_context():
        db.session.remove()


# Tables whose id sequence has handed out a value since it was last restarted: an insert that was
# rolled back leaves its table empty but the sequence moved on.
_MOVED_SEQUENCES = """
SELECT owner.relname FROM pg_sequences AS q
JOIN pg_class AS seq ON seq.relname = q.sequencename AND seq.relnamespace = q.schemaname::regnamespace
JOIN pg_depend AS dep ON dep.objid = seq.oid AND dep.deptype IN ('a', 'i')
JOIN pg_class AS owner ON owner.oid = dep.refobjid
WHERE q.schemaname = 'public' AND q.last_value IS NOT NULL
"""


def _touched_tables(tables: list[str]) -> set[str]:
    """The tables a test left rows in or took ids from."""
    holding = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {t})" for t in tables)
    return set(db.session.scalars(text(holding))) | set(db.session.scalars(text(_MOVED_SEQUENCES)))


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        # TRUNCATE costs a few milliseconds a table even when it is empty: only the tables a test
        # touched (holding rows, or whose id sequence has moved on) are emptied and restarted.
        touched = _touched_tables(tables)
        if touched:
            names = ", ".join(t for t in tables if t in touched)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # The audit log's append-only triggers are lifted for the wipe and put back as they were.
        triggers = db.session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'")
        ).all()
        for name, _sql in triggers:
            db.session.execute(text(f"DROP TRIGGER {name}"))
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))
        for _name, sql in triggers:
            db.session.execute(text(sql))
    db.session.commit()


@pytest.fixture
def client(app: Flask) -> PageClient:
    return PageClient(app.test_client())


@pytest.fixture
def officer(app: Flask) -> Account:
    return make_account(app, "officer")


@pytest.fixture
def supervisor(app: Flask) -> Account:
    return make_account(app, "supervisor")


@pytest.fixture
def officer_client(app: Flask, officer: Account) -> PageClient:
    """A browser signed in as an officer."""
    client = PageClient(app.test_client())
    sign_in(client, officer)
    return client


@pytest.fixture
def supervisor_client(app: Flask, supervisor: Account) -> PageClient:
    client = PageClient(app.test_client())
    sign_in(client, supervisor)
    return client


@pytest.fixture(scope="session")
def evidence_files(tmp_path_factory: pytest.TempPathFactory) -> EvidenceFiles:
    """Realistic photos and PDFs, each made once per test run (a camera photo costs a second or two)."""
    return EvidenceFiles(tmp_path_factory.mktemp("evidence-files"))
