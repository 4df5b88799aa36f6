"""Keeping residents' feedback, and reading it back for the back-office, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal.database import write_transaction
from portal.extensions import db
from portal.models import Feedback
from portal.models.types import utcnow
from portal.triage.calendar import london_date

# The GOV.UK satisfaction scale, as the residents' page asks it and the back-office shows it.
SATISFACTION_LABELS = {
    "very_satisfied": "Very satisfied",
    "satisfied": "Satisfied",
    "neither": "Neither satisfied nor dissatisfied",
    "dissatisfied": "Dissatisfied",
    "very_dissatisfied": "Very dissatisfied",
}
COMMENT_MAX = 1200
PAGE_SIZE = 25


@dataclass(frozen=True)
class FeedbackEntry:
    id: int
    submitted_on: date
    satisfaction: str  # its label
    comment: str


@dataclass(frozen=True)
class FeedbackPage:
    entries: tuple[FeedbackEntry, ...]
    next_before: int | None  # where the next page starts, if there is one


def record_feedback(satisfaction: str, comment: str, *, now: datetime | None = None) -> None:
    """Keep one resident's feedback. Nothing about who sent it is stored, and of when, only the day."""
    if satisfaction not in SATISFACTION_LABELS:
        raise ValueError(f"not a satisfaction answer: {satisfaction!r}")
    with write_transaction():
        db.session.add(
            Feedback(
                submitted_on=london_date(now or utcnow()),
                satisfaction=satisfaction,
                comment=comment[:COMMENT_MAX],
            )
        )


def feedback_page(before: int | None = None, size: int = PAGE_SIZE) -> FeedbackPage:
    """A page of feedback, newest first, starting after the entry ``before`` (keyset, not OFFSET)."""
    query = select(Feedback).order_by(Feedback.id.desc()).limit(size + 1)
    if before is not None:
        query = query.where(Feedback.id < before)
    rows = db.session.scalars(query).all()
    entries = tuple(
        FeedbackEntry(
            row.id, row.submitted_on, SATISFACTION_LABELS.get(row.satisfaction, row.satisfaction), row.comment
        )
        for row in rows[:size]
    )
    return FeedbackPage(entries, entries[-1].id if len(rows) > size else None)
