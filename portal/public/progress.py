"""How far a resident has got, kept in their session cookie as a keyed hash that reads as nothing.

A question page the resident has not answered yet is the same page for everyone with that kind of
report (``portal/web/drawn_pages.py``); to show it, only three facts about the draft are needed: its
kind, the pages done, and when it expires. The draft itself stays on the server; the cookie holds
its random id, the expiry (already the cookie's own) and a keyed hash of the three facts. Anyone
looking at the browser learns nothing of what is being reported: the kind of report is never
written in the cookie, only the portal can make or check the hash, and a page finds the facts again
by trying each kind and each point of the journey (three kinds, eight points: 24 hashes). With no
match (an old cookie, a draft not made by this journey) the page reads the draft from the database,
as it always may, and as it does while caches are off (``portal/web/caches.py``). A draft saved
before its questions were split into more pages ("what" and "where" done, "details" not) is no
point of the journey either, and a note made then matches none (the hash names the pages in order):
read from the database, it asks the pages it has not done, each showing what the draft holds.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from flask import current_app, session

from portal.public.journey import PAGES
from portal.reports.drafts import DraftState
from portal.triage.contract import KINDS
from portal.web import caches

PROGRESS_KEY = "draft_progress"
# The pages done, as the journey makes them: each page is answered only once those before it are.
_POINTS = tuple(tuple(page.slug for page in PAGES[:done]) for done in range(len(PAGES) + 1))
# The journey's pages in order, in every hash: a note made while the pages were others (before a
# page was split in two, say) matches no point, so its draft is read from the database.
_JOURNEY = "/".join(page.slug for page in PAGES)


def _key() -> bytes:
    return hashlib.sha256(b"draft-progress:" + str(current_app.config["SECRET_KEY"]).encode()).digest()


def _hash(key: bytes, draft_id: str, kind: str, completed: tuple[str, ...], expires: int) -> str:
    message = f"{_JOURNEY}|{draft_id}|{kind}|{','.join(completed)}|{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def token(state: DraftState) -> str | None:
    """What the session keeps of ``state``: its expiry and the keyed hash; None if it is not a
    point of the journey (a draft made some other way)."""
    if state.completed not in _POINTS:
        return None
    expires = int(state.expires_at.timestamp())
    return f"{expires}.{_hash(_key(), state.id, state.kind, state.completed, expires)}"


def remember(state: DraftState) -> None:
    """Keep ``state`` in the session, to be read back by ``recall``."""
    kept = token(state)
    if kept is None:
        session.pop(PROGRESS_KEY, None)
    else:
        session[PROGRESS_KEY] = kept


def forget() -> None:
    session.pop(PROGRESS_KEY, None)


def recall(draft_id: str | None, now: datetime) -> DraftState | None:
    """Where the draft has got to, as the session's keyed hash has it, if it is this draft's and
    still live."""
    kept = session.get(PROGRESS_KEY)
    if not caches.enabled() or not draft_id or not isinstance(kept, str) or "." not in kept:
        return None
    expires_text, _, digest = kept.partition(".")
    if not expires_text.isdigit():
        return None
    expires_at = datetime.fromtimestamp(int(expires_text), UTC)
    if expires_at <= now:
        return None
    key = _key()
    for kind in KINDS:
        for completed in _POINTS:
            if hmac.compare_digest(_hash(key, draft_id, kind, completed, int(expires_text)), digest):
                return DraftState(draft_id, kind, completed, expires_at)
    return None
