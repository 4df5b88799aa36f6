"""Drafts: a resident's answers between pages, on the server, for 24 hours after the last change."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, select

from portal.extensions import db
from portal.models import Attachment, Draft
from portal.models.types import utcnow
from portal.reports import evidence
from portal.triage.contract import KINDS


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.config["DRAFT_LIFETIME_HOURS"])


@dataclass(frozen=True)
class DraftState:
    """Where a draft has got to: its kind, the pages done, and when it expires.

    Read before the commit that saved it, which expires the draft's attributes: reading them
    afterwards would only fetch again what was just written.
    """

    id: str
    kind: str
    completed: tuple[str, ...]
    expires_at: datetime

    @classmethod
    def of(cls, draft: Draft) -> DraftState:
        return cls(draft.id, draft.kind, tuple(draft.completed), draft.expires_at)


def start_draft(kind: str) -> DraftState:
    """Open a new draft for a report of ``kind``, clearing out expired drafts on the way."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    purge_expired_drafts()
    now = utcnow()
    draft = Draft(
        id=secrets.token_urlsafe(32),
        kind=kind,
        answers={},
        completed=[],
        created_at=now,
        updated_at=now,
        expires_at=now + _lifetime(),
    )
    db.session.add(draft)
    state = DraftState.of(draft)
    db.session.commit()
    return state


# Built once: SQLAlchemy keeps a statement's cache key with the statement, and working it out
# afresh was a third of the time a question page took.
_DRAFT_BY_ID = select(Draft).where(Draft.id == bindparam("draft_id"))


def load_draft(draft_id: str | None, now: datetime | None = None) -> Draft | None:
    """The live draft with ``draft_id``, or None if there is none or it has expired."""
    if not draft_id:
        return None
    draft = db.session.scalars(_DRAFT_BY_ID, {"draft_id": draft_id}).first()
    if draft is None or draft.expires_at <= (now or utcnow()):
        return None
    return draft


def save_page(draft: Draft, page: str, answers: Mapping[str, Any]) -> DraftState:
    """Merge one page's answers into the draft, mark the page done and renew the draft."""
    merged = dict(draft.answers)
    merged.update(answers)
    draft.answers = merged  # a new object, so the JSON column sees the change
    if page not in draft.completed:
        draft.completed = [*draft.completed, page]
    draft.renew(_lifetime())
    state = DraftState.of(draft)
    db.session.commit()
    return state


def purge_expired_drafts(now: datetime | None = None) -> int:
    """Delete expired drafts and the evidence files uploaded to them. Returns how many drafts went."""
    now = now or utcnow()
    expired = select(Draft.id).where(Draft.expires_at <= now)
    orphans = list(
        db.session.scalars(
            select(Attachment).where(Attachment.draft_id.in_(expired), Attachment.report_id.is_(None))
        )
    )
    for attachment in orphans:
        evidence.delete_file(attachment)
        db.session.delete(attachment)
    result = db.session.execute(delete(Draft).where(Draft.expires_at <= now))
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
