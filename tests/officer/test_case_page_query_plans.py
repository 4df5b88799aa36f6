"""A case opened thousands of times still reads its timeline's changes and views from their own indexes."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select, text

from portal.cases.casefile import case_file
from portal.cases.downloads import recent_downloads_and_exports
from portal.extensions import db
from portal.models import Report
from tests.cases import make_case
from tests.officer.test_queue_query_plans import plan

# Each test reads the database's own query plans: `make test-fast` leaves this module out.
pytestmark = pytest.mark.plans


def test_the_changes_and_the_views_of_the_timeline_each_read_their_own_index(app: Flask) -> None:
    reference = make_case(app)
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        seen: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
            if "FROM audit_event" in statement:
                seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            case_file(report)
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        if postgres:
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
        wanted = {
            "ORDER BY audit_event.at DESC": "ix_audit_event_changes",  # the timeline
            "action = 'viewed'": "ix_audit_event_views",  # each officer's views, summed up a day
        }
        assert len(seen) == 2
        for statement, parameters in seen:
            [index] = [name for marker, name in wanted.items() if marker in statement]
            where = " ".join(plan(statement, parameters))
            assert index in where, f"{where}\n{statement}"
        db.session.rollback()


def test_the_downloads_and_exports_page_reads_its_own_index(app: Flask) -> None:
    with app.app_context():
        seen: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
            if "FROM audit_event" in statement:
                seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            recent_downloads_and_exports()
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
        [(statement, parameters)] = seen
        where = " ".join(plan(statement, parameters))
        assert "ix_audit_event_files" in where, f"{where}\n{statement}"
        db.session.rollback()
