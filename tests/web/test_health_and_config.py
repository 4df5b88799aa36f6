"""/healthz, and configuration from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import create_engine, text

from portal.config import DEVELOPMENT_SECRET, ConfigError, load_config
from portal.extensions import db
from tests.conftest import make_app
from tests.helpers import PageClient
from tests.processes import wait_for


def test_healthz_answers_200_when_the_database_answers(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "outbox_failed": 0}


def test_healthz_answers_503_when_the_database_does_not(app_settings: dict[str, Any]) -> None:
    broken = make_app({**app_settings, "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unavailable"}


def _drop_every_other_connection() -> None:
    """What a restart or a failover does to the portal's pooled connections: each server process
    ends, and the test goes on once they have all gone, as requests after a restart do."""
    # Each statement on its own: in a transaction, pg_stat_activity would show one snapshot.
    engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as other:
        others = text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        ended = list(other.execute(others).scalars())
        ending = text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid")
        other.execute(ending, {"pids": ended})
        left = text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(CAST(:pids AS int[]))")
        gone = wait_for(lambda: other.execute(left, {"pids": ended}).scalar() == 0, timeout=10, interval=0.05)
        assert gone, "the server processes ended"
    engine.dispose()


@pytest.mark.parametrize("path", ["/healthz", "/officer/"])
def test_no_request_fails_after_the_database_dropped_its_connections(
    app: Flask, officer_client: PageClient, path: str
) -> None:
    """A pooled connection the server dropped (a restart, a failover) is never handed to a
    request: the pool replaces it, so the first request after the database is back succeeds."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no server to drop a connection")
    for _round in range(3):
        assert officer_client.get_raw(path).status_code == 200  # a pooled connection, now idle
        with app.app_context():
            _drop_every_other_connection()
        answers = [officer_client.get_raw(path).status_code for _ in range(3)]
        assert answers == [200, 200, 200], answers


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/report/what", {}),
        ("POST", "/report", {"kind": "asb"}),
        ("POST", "/officer/sign-in", {"email": "officer@example.org", "password": "a-long-password"}),
    ],
)
def test_a_database_that_is_down_shows_the_service_s_own_page_with_a_503(
    app_settings: dict[str, Any], method: str, path: str, data: dict[str, str]
) -> None:
    # The token check is not what is tested here, and its page would need the database.
    down = make_app(
        {**app_settings, "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}, WTF_CSRF_ENABLED=False
    )
    client = down.test_client()
    with client.session_transaction() as session:
        session["draft_id"] = "a-draft-that-cannot-be-read-now"
        session.permanent = True
    response = client.open(path, method=method, data=data)
    assert response.status_code == 503
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.h1 is not None and page.h1.get_text(strip=True) == "Sorry, the service is unavailable"
    assert "answers you have already saved are kept" in page.get_text()
    assert "999" in page.get_text()


@pytest.mark.parametrize("secret", ["", DEVELOPMENT_SECRET, "too-short"])
def test_production_refuses_to_start_without_a_real_secret(secret: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config({"PORTAL_ENV": "production", "SECRET_KEY": secret}, tmp_path)


def test_production_cookies_are_secure(tmp_path: Path) -> None:
    config = load_config(
        {
            "PORTAL_ENV": "production",
            "SECRET_KEY": "x" * 40,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        },
        tmp_path,
    )
    assert config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_to_count_attempts_in_one_process_s_memory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI must name a Redis server"):
        load_config({"PORTAL_ENV": "production", "SECRET_KEY": "x" * 40}, tmp_path)


PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "x" * 40,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1/0",
}


def test_production_hashes_passwords_at_werkzeug_s_full_scrypt_cost(tmp_path: Path) -> None:
    assert load_config(PRODUCTION, tmp_path)["PASSWORD_HASH_METHOD"] == "scrypt:32768:8:1"
    dearer = load_config({**PRODUCTION, "PASSWORD_HASH_METHOD": "scrypt:65536:8:1"}, tmp_path)
    assert dearer["PASSWORD_HASH_METHOD"] == "scrypt:65536:8:1"


@pytest.mark.parametrize("environment", ["production", "development"])
@pytest.mark.parametrize("method", ["scrypt:16384:8:1", "scrypt:32768:4:1", "scrypt:256:8:1"])
def test_only_the_test_suite_may_hash_passwords_more_cheaply(
    environment: str, method: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="PASSWORD_HASH_METHOD may be no cheaper than scrypt:32768:8:1"):
        load_config({**PRODUCTION, "PORTAL_ENV": environment, "PASSWORD_HASH_METHOD": method}, tmp_path)
    cheap = load_config({"PORTAL_ENV": "testing", "PASSWORD_HASH_METHOD": method}, tmp_path)
    assert cheap["PASSWORD_HASH_METHOD"] == method


def test_development_counts_attempts_in_memory(tmp_path: Path) -> None:
    assert load_config({}, tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("SIGN_IN_LIMIT_PER_ACCOUNT", "lots", "SIGN_IN_LIMIT_PER_ACCOUNT must be a rate such as"),
        ("SUBMISSION_LIMIT_PER_ADDRESS", "10 every fortnight", "SUBMISSION_LIMIT_PER_ADDRESS must be a rate"),
        ("RATELIMIT_STORAGE_URI", "mongodb://x", "RATELIMIT_STORAGE_URI must be memory:// or a redis://"),
        ("RATELIMIT_ENABLED", "perhaps", "RATELIMIT_ENABLED must be true or false"),
    ],
)
def test_a_bad_rate_limit_setting_is_named(tmp_path: Path, setting: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config({setting: value}, tmp_path)


def test_development_defaults_to_an_embedded_sqlite_database(tmp_path: Path) -> None:
    config = load_config({}, tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    assert config["COUNCIL_NAME"] == "North East Derbyshire District Council"


def test_a_postgresql_url_uses_the_installed_driver(tmp_path: Path) -> None:
    config = load_config({"DATABASE_URL": "postgresql://u@db/portal"}, tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/portal"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAIL_PORT", "twenty-five", "MAIL_PORT must be a whole number"),
        ("MAIL_USE_TLS", "perhaps", "MAIL_USE_TLS must be true or false"),
        ("PORTAL_ENV", "staging", "PORTAL_ENV must be development, production or testing"),
        ("COUNCIL_WARDS", " ; ", "COUNCIL_WARDS must list at least one item"),
        ("PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000", "PASSWORD_HASH_METHOD must be scrypt:N:r:p"),
        ("PASSWORD_HASH_METHOD", "scrypt:1000:8:1", "PASSWORD_HASH_METHOD must be scrypt:N:r:p"),
    ],
)
def test_bad_settings_say_what_to_fix(name: str, value: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config({name: value}, tmp_path)


def test_wards_come_from_configuration(tmp_path: Path) -> None:
    config = load_config({"COUNCIL_WARDS": "North; South ;East"}, tmp_path)
    assert config["COUNCIL_WARDS"] == ("North", "South", "East")


def test_the_sqlite_database_and_the_folders_are_the_portal_s_user_s_alone(
    app_settings: dict[str, Any], tmp_path: Path
) -> None:
    """Residents' reports are not for every local user: no group or other permission at all."""
    database = tmp_path / "private" / "portal.sqlite3"
    database.parent.mkdir()
    uploads = tmp_path / "not-yet" / "uploads"
    private = make_app(
        {**app_settings, "DATABASE_URL": f"sqlite:///{database}", "UPLOAD_FOLDER": str(uploads)}
    )
    with private.app_context():
        db.session.execute(text("CREATE TABLE probe (id INTEGER)"))  # a write: the WAL files too
        db.session.commit()
        from portal.reports.evidence import upload_folder

        upload_folder()
        db.session.remove()
    for path in (
        database,
        database.with_name("portal.sqlite3-wal"),
        database.with_name("portal.sqlite3-shm"),
    ):
        if path.exists():
            assert path.stat().st_mode & 0o077 == 0, f"{path.name} is {oct(path.stat().st_mode & 0o777)}"
    assert uploads.stat().st_mode & 0o777 == 0o700
    assert Path(private.instance_path).stat().st_mode & 0o777 == 0o700
