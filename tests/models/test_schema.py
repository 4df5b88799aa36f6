"""The migrations are the schema: they build it, and it matches the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from portal.extensions import db
from tests.conftest import make_app


def test_the_migrated_schema_matches_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_downgrade_and_upgrade_cleanly(app_settings: dict[str, Any], tmp_path: Path) -> None:
    scratch = make_app({**app_settings, "DATABASE_URL": f"sqlite:///{tmp_path / 'scratch.sqlite3'}"})
    with scratch.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        assert "report" in db.inspect(db.engine).get_table_names()
