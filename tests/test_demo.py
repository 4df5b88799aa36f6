"""Demonstration data: realistic reports made through the residents' own path, once."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import OutboxMessage, Report
from portal.triage.service import current_policy


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


def test_demo_load_refuses_a_nonsense_count(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load", "--reports", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--reports'" in result.output
