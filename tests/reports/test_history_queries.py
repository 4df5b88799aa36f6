"""A report's history comes from indexed queries, never a scan of every report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event, select, text

from portal.extensions import db
from portal.reports.history import case_review_history, history_for
from portal.reports.triage_policy import current_policy
from portal.triage.contract import parse_report
from tests.triage_factories import report


@contextmanager
def captured_statements() -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)


def test_history_is_read_by_email_phone_and_postcode_through_their_indexes(app: Flask) -> None:
    answers = parse_report(report(reporter={"email": "Sam@Example.org", "phone": "07700 900123"}))
    with app.app_context():
        with captured_statements() as statements:
            history_for(answers, current_policy())
        db.session.rollback()
        assert len(statements) == 3, "one query per key: email, phone and postcode"
        assert_each_uses_an_index(statements)


def assert_each_uses_an_index(statements: list[tuple[str, Any]]) -> None:
    postgres = db.engine.dialect.name == "postgresql"
    for statement, parameters in statements:
        with db.engine.connect() as connection:
            if postgres:
                # A near-empty table would be scanned anyway; forbid scans to prove an index serves.
                connection.execute(text("SET enable_seqscan = off"))
                plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).fetchall()
                lines = " ".join(row[0] for row in plan)
                assert "Index" in lines and "Seq Scan" not in lines, lines
            else:
                plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
                lines = " ".join(str(row[-1]) for row in plan)
                assert "USING INDEX ix_report_" in lines and "SCAN report" not in lines, lines


def test_a_case_review_s_history_is_read_by_the_applicant_s_keys_and_the_postcode_through_their_indexes(
    app: Flask,
) -> None:
    end = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    with app.app_context():
        policy = current_policy()
        with captured_statements() as statements:
            case_review_history(
                "sam@example.org", "07700900123", "S18 1AB", end - timedelta(days=183), end, policy
            )
        db.session.rollback()
        assert policy.incidents.counts_as_report
        assert len(statements) == 6, "per key (email, phone and postcode), one for reports, one for incidents"
        assert_each_uses_an_index(statements)


def test_incidents_count_as_earlier_reports_read_through_their_index(app: Flask) -> None:
    from datetime import UTC, datetime

    from portal.models import Incident, Report
    from tests.cases import make_case

    reference = make_case(app, reporter_email="sam@example.org", email_key="sam@example.org")
    with app.app_context():
        case_id = db.session.scalars(select(Report.id).where(Report.reference == reference)).one()
        db.session.add(
            Incident(
                report_id=case_id,
                occurred_on=datetime(2026, 11, 20).date(),
                what_happened="Again.",
                harm={},
                created_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
            )
        )
        db.session.commit()
        answers = parse_report(report(reporter={"email": "Sam@Example.org"}))
        with captured_statements() as statements:
            found = history_for(answers, current_policy())
        moments = sorted(entry.submitted_at for entry in found)
        assert moments == [datetime(2026, 11, 2, 10, 0, tzinfo=UTC), datetime(2026, 11, 21, 9, 0, tzinfo=UTC)]
        assert history_for(answers, current_policy(), leaving_out=case_id) == []
        db.session.rollback()
        postgres = db.engine.dialect.name == "postgresql"
        by_email = statements[0]  # the email's query: its reports and their incidents
        assert "incident" in by_email[0]
        with db.engine.connect() as connection:
            if postgres:
                connection.execute(text("SET enable_seqscan = off"))
                plan = connection.exec_driver_sql(f"EXPLAIN {by_email[0]}", by_email[1]).fetchall()
                lines = " ".join(row[0] for row in plan)
                assert "ix_incident_report_id_created_at" in lines and "Seq Scan" not in lines, lines
            else:
                plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {by_email[0]}", by_email[1]).fetchall()
                lines = " ".join(str(row[-1]) for row in plan)
                assert "ix_incident_report_id_created_at" in lines, lines
                assert "SCAN report" not in lines and "SCAN incident" not in lines, lines
