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
        "threshold": {},
        "policy_version": "test",
    }
    values.update(changes)
    with app.app_context():
        report_id = db.session.query(Report.id).filter(Report.reference == reference).scalar()
        review = CaseReview(report_id=report_id, **values)
        db.session.add(review)
        db.session.commit()
        return int(review.id)
