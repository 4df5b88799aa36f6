"""ASB Case Reviews made straight in the database, at whichever stage a test needs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask

from portal.extensions import db
from portal.models import CaseReview, Report
from portal.triage.calendar import LONDON


def at_london_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON).astimezone(UTC)


def make_review(app: Flask, reference: str, stage: str = "met", **changes: Any) -> int:
    """Store a review of the case ``reference`` and return its id. Defaults: the victim applied
    online, the threshold was found met the next day, and the review is to be held."""
    applied: datetime = changes.pop("applied_at", datetime.now(UTC) - timedelta(days=20))
    values: dict[str, Any] = {
        "stage": stage,
        "applied_at": applied,
        "channel": "online",
        "applicant": "victim",
        "decision_due": applied.date() + timedelta(days=14),
        "threshold_met": None if stage == "applied" else stage != "not_met",
        "decided_at": None if stage == "applied" else applied + timedelta(days=1),
        # As ThresholdDecision.to_json stores it once decided: the counts, and the words for them.
        "threshold": {} if stage == "applied" else _threshold(stage != "not_met", applied),
        "policy_version": "test",
    }
    values.update(changes)
    with app.app_context():
        report_id = db.session.query(Report.id).filter(Report.reference == reference).scalar()
        review = CaseReview(report_id=report_id, **values)
        db.session.add(review)
        db.session.commit()
        return int(review.id)


def _threshold(met: bool, applied: datetime) -> dict[str, Any]:
    reports = 3 if met else 1
    return {
        "met": met,
        "met_by": ["reports_by_one_person"] if met else [],
        "reasons": [f"{reports} reports by the applicant in 6 months" + ("" if met else ", 3 needed")],
        "reports_by_applicant": reports,
        "households": 1,
        "window_from": (applied.date() - timedelta(days=182)).isoformat(),
        "decision_due": (applied.date() + timedelta(days=14)).isoformat(),
        "escalation_body": "Police and Crime Commissioner",
        "policy_version": "test",
    }
