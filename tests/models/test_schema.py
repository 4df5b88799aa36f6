"""The migrations are the schema: they build it, and it matches the models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from portal.extensions import db
from portal.models.types import UTCDateTime
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


def _feedback_columns() -> set[str]:
    return {column["name"] for column in sa.inspect(db.engine).get_columns("feedback")}


def test_feedback_keeps_only_the_london_day_it_was_sent_through_the_migration_and_back(app: Flask) -> None:
    """Revision 0018 keeps each earlier row's day on the London clock and drops its time of day;
    going back, each row is given the start of its day in London."""
    before = sa.table(
        "feedback",
        sa.column("id", sa.Integer()),
        sa.column("submitted_at", UTCDateTime()),
        sa.column("satisfaction", sa.String()),
        sa.column("comment", sa.Text()),
    )
    after = sa.table("feedback", sa.column("id", sa.Integer()), sa.column("submitted_on", sa.Date()))
    with app.app_context():
        downgrade(revision="0017")
        try:
            rated = {"satisfaction": "satisfied", "comment": ""}
            db.session.execute(
                before.insert(),
                [
                    # 00:30 on 2 July in London (summer time): its day is the 2nd, not the 1st of UTC.
                    {"id": 1, "submitted_at": datetime(2026, 7, 1, 23, 30, tzinfo=UTC), **rated},
                    {"id": 2, "submitted_at": datetime(2026, 12, 4, 9, 15, 42, tzinfo=UTC), **rated},
                ],
            )
            db.session.commit()

            upgrade(revision="0018")
            assert "submitted_at" not in _feedback_columns()
            days = db.session.execute(sa.select(after.c.id, after.c.submitted_on).order_by(after.c.id)).all()
            db.session.commit()
            assert [tuple(row) for row in days] == [(1, date(2026, 7, 2)), (2, date(2026, 12, 4))]

            downgrade(revision="0017")
            assert "submitted_on" not in _feedback_columns()
            moments = db.session.scalars(sa.select(before.c.submitted_at).order_by(before.c.id)).all()
            db.session.commit()
            starts_of_days = [
                datetime(2026, 7, 1, 23, 0, tzinfo=UTC),
                datetime(2026, 12, 4, 0, 0, tzinfo=UTC),
            ]
            assert moments == starts_of_days
        finally:
            db.session.rollback()
            upgrade()
            db.session.execute(sa.text("DELETE FROM feedback"))
            db.session.commit()
