"""Demonstration data: realistic reports made through the residents' own path, once."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from bench.bulk_reports import bulk_load_demo_reports
from portal.accounts import create_user, find_user
from portal.config import PROJECT_ROOT
from portal.demo import DEMO_OFFICERS, DEMO_PASSWORD, load_demo_reports
from portal.extensions import db
from portal.models import (
    Draft,
    MediationRecord,
    OutboxMessage,
    ReferenceCounter,
    Report,
    TargetHardeningRecord,
    TaskingAction,
    TaskingRecord,
)
from portal.reports.history import history_for
from portal.reports.triage_policy import current_policy
from portal.triage.calendar import london_date, london_today
from portal.triage.contract import parse_report
from portal.triage.engine import decide
from tests.processes import FLASK, Browser, free_port, portal_env, start_gunicorn, stop, web_host


def test_demo_load_makes_triaged_reports_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--reports", "30"])
    assert first.exit_code == 0, first.output
    assert "30 demonstration reports added." in first.output
    again = runner.invoke(args=["demo", "load", "--reports", "30"])
    assert "already holds 30 reports" in again.output

    with app.app_context():
        reports = db.session.scalars(select(Report)).all()
        assert len(reports) == 30
        assert {r.kind for r in reports} == {"asb", "neighbour_dispute", "safety_concern"}
        assert {r.policy_version for r in reports} == {current_policy().version}
        assert all(r.reasons for r in reports)
        assert len({r.reference for r in reports}) == 30
        # Acknowledgements wait in the outbox rather than being sent while loading.
        sent = db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent"))
        assert sent == 0


@pytest.mark.parametrize(
    "now",
    [
        None,
        datetime(2026, 12, 24, 16, 0, tzinfo=UTC),  # before the Christmas bank holidays
        datetime(2027, 4, 3, 9, 0, tzinfo=UTC),  # an Easter Saturday
        datetime(2027, 7, 14, 12, 0, tzinfo=UTC),  # midweek, no holiday near
    ],
    ids=["today", "christmas-eve", "easter-saturday", "midweek"],
)
def test_the_demonstration_queue_shows_its_ordering_with_overdue_cases_a_minority(
    app: Flask, now: datetime | None
) -> None:
    """`make run`'s 40 reports: mostly due soon, some overdue, safeguarding both overdue and not."""
    with app.app_context():
        load_demo_reports(40, now=now)
        today = london_date(now) if now else london_today()
        reports = db.session.scalars(select(Report)).all()
        overdue = [report for report in reports if report.is_overdue(today)]
        due_soon = [r for r in reports if not r.is_overdue(today) and r.due_by <= today + timedelta(days=14)]
        safeguarding = [report for report in reports if report.safeguarding]
        assert 0 < len(overdue) < len(reports) // 2, f"{len(overdue)} of {len(reports)} overdue"
        assert len(due_soon) >= len(reports) // 3, f"{len(due_soon)} due in the next fortnight"
        assert any(report.is_overdue(today) for report in safeguarding)
        assert any(not report.is_overdue(today) for report in safeguarding)
        assert any(not report.safeguarding and not report.is_overdue(today) for report in reports)


def test_demo_load_refuses_a_nonsense_count(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load", "--reports", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--reports'" in result.output


def test_demo_load_sends_benchmark_volumes_to_the_bulk_loader(app: Flask) -> None:
    """One at a time through drafts, a million reports would take hours: the command says what to run."""
    result = app.test_cli_runner().invoke(args=["demo", "load", "--reports", "1001"])
    assert result.exit_code == 2
    assert "Enter 1,000 or fewer; to load more, for a benchmark, run: python -m bench.bulk_reports" in (
        result.output
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 0


# --- The bulk path, for benchmark volumes ---------------------------------------------------------


def test_bulk_loaded_reports_are_decided_as_a_submission_would_be(app: Flask) -> None:
    with app.app_context():
        assert bulk_load_demo_reports(400, batch=150) == 400
        policy = current_policy()
        reports = db.session.scalars(select(Report).order_by(Report.id)).all()
        assert len(reports) == 400
        assert {r.kind for r in reports} == {"asb", "neighbour_dispute", "safety_concern"}
        with_history = 0
        for report in reports:
            answers = parse_report(report.as_contract())
            # The stored history as the submission saw it: everything before this report.
            before = replace(answers, submitted_at=answers.submitted_at - timedelta(microseconds=1))
            history = history_for(before, policy)
            with_history += bool(history)
            decision = decide(answers, history, policy)
            stored = (report.route, report.rule, report.risk_score, report.risk_level, report.due_by)
            assert stored == (
                decision.route,
                decision.rule,
                decision.risk_score,
                decision.risk_level,
                decision.due_by,
            ), report.reference
            assert report.flags == sorted(decision.flags)
            assert report.reasons == list(decision.reasons)
            assert report.explanation == decision.explanation
            assert report.policy_version == policy.version
            assert report.safeguarding == ("safeguarding" in decision.flags)
            assert report.current_route == report.route
            assert report.email_key == answers.reporter.email_key
            assert report.phone_key == answers.reporter.phone_key
            assert report.name_key == ("" if report.anonymous else report.reporter_name.lower())
            assert report.draft_token
        # Repeat reporters and busy places: many reports were decided with a history.
        assert with_history > 100
        db.session.rollback()


def test_bulk_references_run_on_gaplessly_from_each_years_counter(app: Flask) -> None:
    with app.app_context():
        load_demo_reports(5)
        bulk_load_demo_reports(300, batch=70)
        numbers: dict[int, list[int]] = {}
        for reference in db.session.scalars(select(Report.reference)):
            _prefix, year, number = reference.split("-")
            numbers.setdefault(int(year), []).append(int(number))
        counters = {c.year: c.last_value for c in db.session.scalars(select(ReferenceCounter))}
        assert sum(len(found) for found in numbers.values()) == 305
        for year, found in numbers.items():
            assert sorted(found) == list(range(1, counters[year] + 1)), year
        # The next resident's report takes the next number, not one the bulk load gave out.
        ids = db.session.scalars(select(Report.id)).all()
        assert sorted(ids) == list(range(min(ids), min(ids) + 305))


def test_bulk_loaded_cases_have_casework_and_records_of_the_work(app: Flask) -> None:
    with app.app_context():
        create_user("caseworker@example.org", "Casey Worker", "officer", "a-long-enough-password")
        bulk_load_demo_reports(600)
        reports = db.session.scalars(select(Report)).all()
        statuses = {r.status for r in reports}
        assert statuses == {"new", "in_progress", "awaiting_resident", "closed"}
        closed = [r for r in reports if r.status == "closed"]
        assert all(r.outcome and r.closed_at and r.closed_at >= r.submitted_at for r in closed)
        assert all(r.outcome is None for r in reports if r.status != "closed")
        assert any(r.assignee_id for r in reports)
        contacted = [r for r in reports if r.first_contact_on]
        assert contacted and all(r.first_contact_channel for r in contacted)
        today = london_today()
        assert any(r.is_overdue(today) for r in reports), "some open cases are past due"
        for model in (MediationRecord, TargetHardeningRecord, TaskingRecord, TaskingAction):
            assert db.session.scalar(select(func.count()).select_from(model)), model.__name__
        # The history of these reports was acknowledged long ago: nothing waits to be sent.
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_bulk_loader_makes_the_demonstration_accounts_and_its_reports_without_drafts(
    app: Flask, app_settings: dict[str, Any]
) -> None:
    loader = [sys.executable, "-m", "bench.bulk_reports", "--reports", "60"]
    result = subprocess.run(
        loader, cwd=PROJECT_ROOT, env=portal_env(app_settings), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "60 reports loaded in" in result.stdout
    assert "Demo supervisor login: supervisor@example.org" in result.stdout
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 60
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
        assert all(find_user(email) for email, _name, _role in DEMO_OFFICERS)
    # As `demo load` does, it adds nothing to a database that already holds reports.
    again = subprocess.run(
        loader, cwd=PROJECT_ROOT, env=portal_env(app_settings), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "already holds 60 reports" in again.stdout


def test_production_refuses_to_serve_while_demonstration_accounts_can_sign_in(
    app: Flask, app_settings: dict[str, Any], redis_server: str, tmp_path: Path
) -> None:
    """If `demo load` ever ran on a database, its published logins must not open a production portal."""
    with app.app_context():
        for email, name, role in DEMO_OFFICERS:
            create_user(email, name, role, DEMO_PASSWORD)
    env = portal_env(
        app_settings, PORTAL_ENV="production", SECRET_KEY="d" * 40, RATELIMIT_STORAGE_URI=redis_server
    )
    log = tmp_path / "gunicorn.log"
    refused = start_gunicorn(env, f"127.0.0.1:{free_port()}", log)
    try:
        assert refused.wait(timeout=60) != 0, "gunicorn refused to start"
    finally:
        stop(refused)
    said = log.read_text()
    assert "officer@example.org, supervisor@example.org" in said
    assert "flask --app wsgi demo remove-accounts" in said

    # The remedy works in production, and then the portal starts.
    removal = subprocess.run(
        [FLASK, "--app", "wsgi", "demo", "remove-accounts"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert removal.returncode == 0, removal.stderr
    assert "Disabled the demonstration accounts officer@example.org, supervisor@example.org" in removal.stdout
    with web_host(env, tmp_path / "after.log") as url:
        status, page = Browser(url).post_form(
            "/officer/sign-in", {"email": "supervisor@example.org", "password": DEMO_PASSWORD}
        )
        assert status == 200 and "Enter a correct email address and password" in page
    with app.app_context():
        for email, _name, _role in DEMO_OFFICERS:
            user = find_user(email)
            assert user is not None and not user.active and not user.check_password(DEMO_PASSWORD)
