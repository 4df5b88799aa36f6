"""The queue's tab counts are exact: what the database keeps in queue_count is what the cases say."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, select, update

from portal.cases import operations
from portal.cases.queue import Filters, tab_counts
from portal.extensions import db
from portal.models import QueueCount, Report, User
from portal.models.report import NO_ASSIGNEE, QUEUE_COUNT_COLUMNS, STATUSES
from portal.triage.decision import ROUTES
from tests.cases import make_case
from tests.officers import Account, make_account

WARDS = ("Dronfield North", "Eckington North", "")


def _cases(app: Flask, officer: Account) -> list[str]:
    """Cases in many states: every route and status, three risk levels, wards, owners, flags."""
    made = []
    for number, (route, status, risk) in enumerate(
        itertools.product(ROUTES, STATUSES, ("standard", "medium", "high"))
    ):
        made.append(
            make_case(
                app,
                route=route,
                status=status,
                outcome="resolved" if status == "closed" else None,
                risk_level=risk,
                ward=WARDS[number % len(WARDS)],
                assignee_id=officer.id if number % 4 == 0 else None,
                flags=["safeguarding"] if number % 5 == 0 else (["hate_incident"] if number % 7 == 0 else []),
            )
        )
    return made


def _work_the_cases(app: Flask, officer: Account, supervisor: Account, references: list[str]) -> None:
    """Claims, assignments, status changes, re-routes and a deletion, as officers and jobs make them."""
    with app.app_context():
        boss = db.session.get(User, supervisor.id)
        worker = db.session.get(User, officer.id)
        open_cases = [
            r
            for r in references
            if db.session.scalar(select(Report.status).where(Report.reference == r)) != "closed"
        ]
        for reference in open_cases[:6]:
            if db.session.scalar(select(Report.assignee_id).where(Report.reference == reference)) is None:
                operations.claim(reference, worker)
        for reference in open_cases[6:10]:
            operations.assign(reference, boss, supervisor.id, None)
        for reference in open_cases[10:14]:
            operations.change_status(reference, boss, "closed", "resolved", None)
        for reference in open_cases[14:18]:
            report = operations.find_case(reference)
            other = next(route for route in ROUTES if route != report.current_route)
            operations.reroute(reference, boss, other, "Better handled there", None)
        # Writes from outside the operations (a script, a bulk fix) are counted just the same.
        db.session.execute(
            update(Report).where(Report.reference == open_cases[18]).values(ward="Killamarsh West")
        )
        db.session.execute(delete(Report).where(Report.reference == open_cases[19]))
        db.session.commit()


def _oracle(filters: Filters, user_id: int) -> dict[str, int]:
    """The tab counts worked out from the cases themselves, one by one."""
    counts = dict.fromkeys(ROUTES, 0)
    for report in db.session.scalars(select(Report)):
        if filters.status == "open" and report.status == "closed":
            continue
        if filters.status not in ("open", "all") and report.status != filters.status:
            continue
        if filters.risk_level and report.risk_level != filters.risk_level:
            continue
        if filters.flag and filters.flag not in report.flags:
            continue
        if filters.ward and report.ward != filters.ward:
            continue
        wanted: Any = {"mine": user_id, "unassigned": None}.get(filters.assignee, filters.assignee)
        if filters.assignee and report.assignee_id != (int(wanted) if isinstance(wanted, str) else wanted):
            continue
        counts[report.current_route] += 1
    counts["all"] = sum(counts.values())
    return counts


def test_queue_count_is_the_cases_grouped_after_every_kind_of_change(app: Flask) -> None:
    officer, supervisor = make_account(app, "officer"), make_account(app, "supervisor")
    _work_the_cases(app, officer, supervisor, _cases(app, officer))
    with app.app_context():
        columns = [getattr(Report, name) for name in QUEUE_COUNT_COLUMNS]
        owner = func.coalesce(Report.assignee_id, NO_ASSIGNEE)
        grouped = [owner if column is Report.assignee_id else column for column in columns]
        truth = {
            tuple(row[:-1]): row[-1]
            for row in db.session.execute(select(*grouped, func.count()).group_by(*grouped))
        }
        kept = {
            tuple(getattr(row, name) for name in QUEUE_COUNT_COLUMNS): row.cases
            for row in db.session.scalars(select(QueueCount))
            if row.cases
        }
        assert kept == truth
        assert min(row.cases for row in db.session.scalars(select(QueueCount))) >= 0


def test_tab_counts_are_exact_under_every_combination_of_filters(app: Flask) -> None:
    officer, supervisor = make_account(app, "officer"), make_account(app, "supervisor")
    _work_the_cases(app, officer, supervisor, _cases(app, officer))
    combinations = itertools.product(
        ("open", "all", *STATUSES),
        ("", "standard", "high"),
        ("", "safeguarding", "hate_incident"),
        ("", *WARDS[:2], "Killamarsh West"),
        ("", "mine", "unassigned", str(supervisor.id)),
    )
    with app.app_context():
        for status, risk, flag, ward, assignee in combinations:
            filters = Filters(status=status, risk_level=risk, flag=flag, ward=ward, assignee=assignee)
            assert tab_counts(filters, officer.id) == _oracle(filters, officer.id), filters
