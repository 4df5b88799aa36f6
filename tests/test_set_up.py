"""Setting up: every Makefile target is in `make help`, and the suite's PostgreSQL database is made
when missing but never one whose name does not say it is for tests."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal.config import PROJECT_ROOT, load_config
from tests.conftest import wipe_test_database

MAKEFILE = PROJECT_ROOT / "Makefile"
# A rule line: a name, a colon, and no `=` (which would make it an assignment such as `X := y`).
RULE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)\s*:(?![=:])")


def makefile_targets() -> list[str]:
    """The targets a person runs: every rule in the Makefile except files it builds and `.PHONY`."""
    targets = []
    for line in MAKEFILE.read_text(encoding="utf-8").splitlines():
        match = RULE.match(line)
        if match and "/" not in match.group(1) and not match.group(1).startswith("."):
            targets.append(match.group(1))
    return targets


def test_make_help_lists_every_target_with_one_line_each() -> None:
    targets = makefile_targets()
    assert {"help", "run", "test", "test-fast", "e2e", "lint", "prerequisites"} <= set(targets)
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    lines = result.stdout.splitlines()
    for target in targets:
        described = [line for line in lines if re.match(rf"make {re.escape(target)}\s+\S", line)]
        assert len(described) == 1, (
            f"`make help` should describe `make {target}` on one line:\n{result.stdout}"
        )
    assert len(lines) == len(targets), result.stdout


def test_make_run_serves_on_the_port_it_is_given() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(PROJECT_ROOT), "-n", "run", "PORT=8123", "MAIL_PORT=2025"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert "-l 127.0.0.1:2025" in result.stdout, "the debugging mail server listens on MAIL_PORT"
    assert "MAIL_PORT=2025 PUBLIC_BASE_URL=http://127.0.0.1:8123" in result.stdout
    assert "--port 8123" in result.stdout


@pytest.mark.parametrize("name", ["portal", "production", "council_reports"])
def test_a_database_whose_name_does_not_say_test_is_refused_before_any_connection(name: str) -> None:
    # Port 9 (discard) has no database: connecting would fail otherwise than with the refusal.
    url = f"postgresql+psycopg://postgres@127.0.0.1:9/{name}"
    with pytest.raises(pytest.UsageError, match=f"refusing to wipe database '{name}'"):
        wipe_test_database(url)


def _suite_postgres_url(tmp_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    resolved = load_config({"DATABASE_URL": url}, tmp_path)["SQLALCHEMY_DATABASE_URI"] if url else ""
    if not resolved.startswith("postgresql"):
        pytest.skip("the suite is running on SQLite: DATABASE_URL names no PostgreSQL server")
    return str(resolved)


def test_a_missing_postgresql_test_database_is_made_and_emptied(tmp_path: Path) -> None:
    server = make_url(_suite_postgres_url(tmp_path))
    missing = server.set(database=f"{server.database}_{secrets.token_hex(4)}")
    maintenance = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    exists = text("SELECT count(*) FROM pg_database WHERE datname = :name")
    try:
        with maintenance.connect() as connection:
            assert connection.scalar(exists, {"name": missing.database}) == 0
        wipe_test_database(missing.render_as_string(hide_password=False))
        with maintenance.connect() as connection:
            assert connection.scalar(exists, {"name": missing.database}) == 1
        made = create_engine(missing)
        try:
            assert inspect(made).get_table_names() == []
        finally:
            made.dispose()
    finally:
        with maintenance.connect() as connection:
            quoted = connection.dialect.identifier_preparer.quote(missing.database)
            connection.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        maintenance.dispose()
