"""Drafts: a resident's answers between pages, on the server, for 24 hours after the last change.

A draft is linked to one browser by its random id in that browser's session cookie, which ends
when the browser closes. The draft itself stays for its lifetime, so a resident who said it is
safe to email them can ask for a link that links it to another browser (``send_resume_link``):
the link is a random token that works once, within ``RESUME_LINK_MINUTES``; only its hash is kept
(``portal/reports/links.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, bindparam, delete, select, update

from portal.extensions import db
from portal.mail import queue_email
from portal.models import Attachment, Draft
from portal.models.types import utcnow
from portal.reports import evidence, links
from portal.triage.contract import KINDS, normalise_email


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
    draft.resume_email_hash = _safe_email_hash(merged)
    state = DraftState.of(draft)
    db.session.commit()
    return state


def purge_expired_drafts(now: datetime | None = None) -> int:
    """Delete expired drafts and the evidence files uploaded to them. Returns how many drafts went."""
    return _delete_drafts(Draft.expires_at <= (now or utcnow()))


def delete_draft(draft_id: str) -> None:
    """Delete the draft ``draft_id`` (live or not) and the evidence files uploaded to it."""
    _delete_drafts(Draft.id == draft_id)


def _delete_drafts(which: ColumnElement[bool]) -> int:
    chosen = select(Draft.id).where(which)
    orphans = list(
        db.session.scalars(
            select(Attachment).where(Attachment.draft_id.in_(chosen), Attachment.report_id.is_(None))
        )
    )
    for attachment in orphans:
        evidence.delete_file(attachment)
        db.session.delete(attachment)
    result = db.session.execute(delete(Draft).where(which))
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _keyed_hash(purpose: str, value: str) -> str:
    key = hashlib.sha256(f"{purpose}:{current_app.config['SECRET_KEY']}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _safe_email_hash(answers: Mapping[str, Any]) -> str | None:
    """The keyed hash a resume link is asked for by: only for an email the resident says is safe."""
    reporter = answers.get("reporter") or {}
    email = str(reporter.get("email") or "")
    if reporter.get("anonymous") or not email or reporter.get("safe_to_email") is not True:
        return None
    return _keyed_hash("resume-email", normalise_email(email))


def send_resume_link(email: str) -> None:
    """Queue a link to continue the newest live draft whose reporter gave ``email`` as safe to use.

    Says nothing of whether there was one: the caller tells everyone the same. A new link
    replaces the last one sent for that draft.
    """
    now = utcnow()
    draft = db.session.scalars(
        select(Draft)
        .where(Draft.resume_email_hash == _keyed_hash("resume-email", normalise_email(email)))
        .where(Draft.expires_at > now)
        .order_by(Draft.updated_at.desc())
        .limit(1)
    ).first()
    if draft is None:
        return
    token = links.new_token()
    minutes = current_app.config["RESUME_LINK_MINUTES"]
    draft.resume_token_hash = links.token_hash(token)
    draft.resume_expires_at = now + timedelta(minutes=minutes)
    queue_email(
        purpose="resume_link",
        recipient=str(draft.answers["reporter"]["email"]),
        subject="Continue your report",
        template="resume_link",
        context={
            "link": f"{current_app.config['PUBLIC_BASE_URL']}/report/continue/{token}",
            "minutes": minutes,
        },
    )
    db.session.commit()


def _live_link(token: str, now: datetime) -> ColumnElement[bool]:
    return (
        (Draft.resume_token_hash == links.token_hash(token))
        & (Draft.resume_expires_at > now)
        & (Draft.expires_at > now)
    )


def resume_link_works(token: str) -> bool:
    """Whether ``token`` is a link that has not been used and has not expired, for a live draft."""
    return db.session.scalar(select(Draft.id).where(_live_link(token, utcnow()))) is not None


def use_resume_link(token: str) -> DraftState | None:
    """Spend the link ``token``: its draft's state, or None if it was used, has expired or is unknown.

    A conditional update, so of two presses at once only one finds the link still there.
    """
    now = utcnow()
    draft_id = db.session.scalar(
        update(Draft)
        .where(_live_link(token, now))
        .values(resume_token_hash=None, resume_expires_at=None)
        .returning(Draft.id)
    )
    db.session.commit()
    draft = load_draft(draft_id, now)
    return DraftState.of(draft) if draft is not None else None
