"""Reference numbers: ``DIO-2026-000123``, sequential within a year and never given out twice."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import ReferenceCounter

PREFIX = "DIO"


def format_reference(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


def next_reference(year: int) -> str:
    """Take the next number for ``year``. Call inside a write transaction.

    The counter row is created if missing (a no-op when another transaction created it first),
    then incremented with UPDATE ... RETURNING: on PostgreSQL the row lock makes concurrent
    submissions queue; on SQLite the write transaction already holds the database's write lock.
    """
    session = db.session
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(ReferenceCounter)
        .values(year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    number = session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last_value=ReferenceCounter.last_value + 1)
        .returning(ReferenceCounter.last_value)
    ).scalar_one()
    return format_reference(year, number)
