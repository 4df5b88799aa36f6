"""Every query of the officers' queue is answered from an index, never a scan of every report.

Each tab, each filter, each kind of search, the tab counts, the CSV export, and first and deep
pages (a keyset cursor in each of the two groups) are run, their SQL captured, and the database's
own plan read. Open cases (the queue as officers see it) must come from the open-queue partial
indexes, whose size is the open caseload, not the whole history of reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select, text

from portal.cases.agenda import AgendaCursor, build_agenda, every_agenda_item
from portal.cases.queue import Cursor, Filters, all_rows, queue_page, tab_counts
from portal.extensions import db
from portal.triage.calendar import london_today
from tests.cases import make_case

# Each test reads the database's own query plans: `make test-fast` leaves this module out.
pytestmark = pytest.mark.plans

FILTERS = [
    {},
    {"risk_level": "high"},
    {"flag": "safeguarding"},
    {"flag": "case_review_eligible"},
    {"flag": "new_incident"},
    {"ward": "Dronfield North"},
    {"assignee": "mine"},
    {"assignee": "unassigned"},
    {"assignee": "7"},
    {"status": "in_progress"},
    {"status": "closed"},
    {"status": "all"},
    {"q": "DIO-2026-000123"},
    {"q": "s18 1ab"},
    {"q": "Sam.Resident@example.org"},
    {"q": "sam res"},
    {"ward": "Eckington North", "risk_level": "medium", "assignee": "unassigned"},
]
TABS = ["all", "mediation", "target_hardening", "tasking"]
# Statuses whose queue is every report there is: counting those cases reads an index of them all.
WHOLE_HISTORY = ("closed", "all")


@contextmanager
def captured_statements() -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM report" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)


def queue_statements(args: dict[str, str], today: date) -> list[tuple[str, Any]]:
    """The SQL of a first page, a deep page in each group, the tab counts and the export."""
    filters = Filters.from_args(args)
    deep = today + timedelta(days=30)
    with captured_statements() as statements:
        queue_page(filters, 7, today)
        queue_page(filters, 7, today, Cursor(0, deep, 500_000))
        queue_page(filters, 7, today, Cursor(1, deep, 500_000))
        tab_counts(filters, 7)
        all_rows(filters, 7, today)
    db.session.rollback()
    return statements


def plan(statement: str, parameters: Any) -> list[str]:
    connection = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).fetchall()
        return [row[0].strip() for row in rows]
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
    return [str(row[-1]) for row in rows]


def by_primary_key(statement: str, lines: list[str], postgres: bool) -> bool:
    """A page's own rows, fetched by id once the index has chosen them: only those rows are read."""
    if "WHERE report.id IN" not in statement:
        return False
    if postgres:
        scans = [line for line in lines if "Scan" in line and "Heap Scan" not in line]
        return bool(scans) and all(
            "Scan on pk_report" in line or "Scan using pk_report" in line for line in scans
        )
    return all(line.startswith("SEARCH report USING INTEGER PRIMARY KEY") for line in lines)


def full_scans(lines: list[str], postgres: bool) -> list[str]:
    """Plan lines that read the report table itself from end to end."""
    if postgres:
        return [line for line in lines if "Seq Scan on report" in line]
    return [line for line in lines if line.startswith("SCAN report") and " INDEX " not in line]


def assert_read_from_indexes(statements: list[tuple[str, Any]], postgres: bool, *, open_only: bool) -> None:
    """No statement reads the report table from end to end; with ``open_only``, each reads an
    open-case index (or fetches a page's own rows by id)."""
    for statement, parameters in statements:
        lines = plan(statement, parameters)
        where = " ".join(lines)
        assert not full_scans(lines, postgres), f"{where}\n{statement}"
        if open_only and not by_primary_key(statement, lines, postgres):
            assert "ix_report_open_" in where, f"{where}\n{statement}"


@pytest.mark.parametrize("tab", TABS)
@pytest.mark.parametrize(
    "args", FILTERS, ids=lambda args: "-".join(f"{k}={v}" for k, v in args.items()) or "open"
)
def test_every_queue_query_is_answered_from_an_index(app: Flask, tab: str, args: dict[str, str]) -> None:
    for route in ("tasking", "mediation"):
        make_case(app, route=route)  # pages with rows, so each page's rows are fetched too
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        statements = queue_statements({**args, "tab": tab}, london_today())
        if postgres:
            # An empty table would be scanned anyway; forbid scans to prove an index serves.
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
        assert len(statements) >= 5
        # The open caseload, not every report ever made, is what gets read (a search reads the
        # index it searches; closed or every status, an index of every report).
        open_only = args.get("status", "open") not in WHOLE_HISTORY and "q" not in args
        assert_read_from_indexes(statements, postgres, open_only=open_only)
        db.session.rollback()


def test_a_deep_page_costs_what_the_first_does(app: Flask) -> None:
    """The deep page's plan is the first page's plus the keyset condition: no OFFSET, no sort."""
    with app.app_context():
        statements = queue_statements({}, london_today())
        if db.engine.dialect.name == "postgresql":
            # An empty table is cheaper to sort than to read in order: ask whether an ordered
            # index path exists at all.
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                db.session.execute(text(f"SET LOCAL {setting} = off"))
        for statement, parameters in statements[:3]:
            # SQLite's dialect always writes an OFFSET: it must be nought.
            assert "OFFSET" not in statement or list(parameters)[-1] == 0
            lines = plan(statement, parameters)
            sorted_after = [line for line in lines if "TEMP B-TREE" in line or line.startswith("->  Sort")]
            assert not sorted_after, " ".join(lines)
            assert "ix_report_open_queue" in " ".join(lines)
        db.session.rollback()


def test_every_agenda_query_reads_an_open_case_index(app: Flask) -> None:
    """The agenda's pages (either section, either group) and its counts read open cases only.

    Which of the open-case indexes a planner picks for a near-empty table is its own choice (the
    open-route index is there for the agenda; PostgreSQL may take the open-queue one): what must
    hold is that neither every report nor a sort of them is read.
    """
    make_case(app, route="tasking")
    today = london_today()
    deep = today + timedelta(days=30)
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        with captured_statements() as statements:
            build_agenda(today, today)
            for section in (0, 1):
                for group in (0, 1):
                    build_agenda(today, today, AgendaCursor(section, group, deep, 500_000))
            list(every_agenda_item(today, today))
        if postgres:
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
        assert len(statements) >= 10
        assert_read_from_indexes(statements, postgres, open_only=True)
        db.session.rollback()


def test_the_new_incident_marker_of_a_page_is_one_query_of_the_unseen_incidents_index(app: Flask) -> None:
    from datetime import UTC, datetime

    from portal.models import Incident, Report

    references = [make_case(app) for _ in range(3)]
    with app.app_context():
        ids = list(db.session.scalars(select(Report.id).where(Report.reference.in_(references))))
        db.session.add(
            Incident(report_id=ids[0], occurred_on=london_today(), what_happened="Again.", harm={})
        )
        db.session.add(
            Incident(
                report_id=ids[1],
                occurred_on=london_today(),
                what_happened="Seen.",
                harm={},
                seen_by_officer_at=datetime.now(UTC),
            )
        )
        db.session.commit()
        postgres = db.engine.dialect.name == "postgresql"
        seen: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
            if "FROM incident" in statement:
                seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            page = queue_page(Filters(), 7, london_today())
            filtered = queue_page(Filters(flag="new_incident"), 7, london_today())
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        assert page.new_incidents == {ids[0]}
        assert [row.id for row in filtered.rows] == [ids[0]]
        # One query of the marker for each page (the filtered page's two groups test it inside theirs).
        markers = [(s, p) for s, p in seen if s.lstrip().startswith("SELECT DISTINCT incident")]
        assert len(markers) == 2, seen
        if postgres:
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
        for statement, parameters in seen:
            lines = " ".join(plan(statement, parameters))
            assert "ix_incident_unseen" in lines, f"{lines}\n{statement}"
            assert "Seq Scan on incident" not in lines and "SCAN incident" not in lines.replace(
                "SCAN incident USING", ""
            ), lines
        db.session.rollback()
