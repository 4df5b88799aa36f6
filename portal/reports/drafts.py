"""Drafts: a resident's answers between pages, on the server, for 24 hours after the last change."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
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


def start_draft(kind: str) -> Draft:
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
    db.session.commit()
    return draft


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


def save_page(draft: Draft, page: str, answers: Mapping[str, Any]) -> list[str]:
    """Merge one page's answers into the draft and mark the page done; returns the pages done.

    The pages are returned, not read from the draft again, because the commit expires it and
    reading it would only fetch again what was just written.
    """
    merged = dict(draft.answers)
    merged.update(answers)
    draft.answers = merged  # a new object, so the JSON column sees the change
    completed = draft.completed if page in draft.completed else [*draft.completed, page]
    draft.completed = completed
    draft.renew(_lifetime())
    db.session.commit()
    return completed


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
