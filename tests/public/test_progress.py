"""A resident's progress rides in their session cookie as a keyed hash: pages not yet answered are
shown without reading the draft, and the cookie says nothing of what is being reported."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from portal.extensions import db
from portal.models import Draft
from portal.public.progress import PROGRESS_KEY
from portal.text.labels import KIND_TITLES
from portal.triage.contract import KINDS
from tests import factories
from tests.helpers import PageClient
from tests.journey import answer_pages, choose


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def session_of(app: Flask, client: PageClient) -> dict[str, Any]:
    cookie = client.client.get_cookie("session")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return dict(serializer.loads(cookie.value))


def test_a_page_not_yet_answered_is_shown_without_reading_the_draft(app: Flask, client: PageClient) -> None:
    choose(client, "asb")
    details = client.post_form("/report/what", factories.WHAT["asb"])
    assert details.h1 == "About the people responsible"
    with statements(app) as seen:
        again = client.get("/report/details")
        impact = client.get("/report/impact")
    assert again.h1 == "About the people responsible"
    assert impact.status == 200 and impact.path == "/report/details", "an earlier page still comes first"
    assert seen == []


def test_a_page_already_answered_is_read_from_the_draft(app: Flask, client: PageClient) -> None:
    choose(client, "asb")
    answer_pages(client, "asb", through="details")
    with statements(app) as seen:
        back = client.get("/report/details")
    assert back.value("perpetrators_known") == "no"
    assert any("FROM draft" in statement for statement in seen)


@pytest.mark.parametrize("kind", KINDS)
def test_the_cookie_says_nothing_of_what_is_being_reported(app: Flask, client: PageClient, kind: str) -> None:
    choose(client, kind)
    client.post_form("/report/what", factories.WHAT[kind])
    kept = session_of(app, client)
    written = json.dumps(kept).lower()
    assert PROGRESS_KEY in kept
    for word in (*KINDS, *(title.lower() for title in KIND_TITLES.values()), "safety", "dispute", "what"):
        assert word not in written, word


def test_a_note_of_progress_from_another_draft_or_made_up_is_ignored(app: Flask) -> None:
    ahead, behind = PageClient(app.test_client()), PageClient(app.test_client())
    for resident in (ahead, behind):
        choose(resident, "asb")
    answer_pages(ahead, "asb", through="where")
    borrowed = session_of(app, ahead)[PROGRESS_KEY]

    for note in (borrowed, "9999999999.0000", "not a note", 12):
        with behind.client.session_transaction() as kept:
            kept[PROGRESS_KEY] = note
        page = behind.get("/report/impact")
        assert page.path == "/report/what", f"{note!r}: the draft says only the kind is chosen"


def test_a_note_made_before_the_pages_were_split_reads_the_draft(app: Flask, client: PageClient) -> None:
    # A draft started when the kind's own questions were asked with "What is happening?": "what"
    # done, its yes/no answers already given, and the note of progress of that journey's pages.
    choose(client, "asb")
    client.post_form("/report/what", factories.WHAT["asb"])
    with app.app_context():
        draft_id = session_of(app, client)["draft_id"]
        draft = db.session.get(Draft, draft_id)
        assert draft is not None
        draft.answers = {**draft.answers, "asb": {**draft.answers["asb"], "perpetrators_known": True}}
        expires = int(draft.expires_at.timestamp())
        db.session.commit()
        key = hashlib.sha256(b"draft-progress:" + str(app.config["SECRET_KEY"]).encode()).digest()
    message = f"{draft_id}|asb|what|{expires}".encode()  # as the note was made then
    with client.client.session_transaction() as kept:
        kept[PROGRESS_KEY] = f"{expires}.{hmac.new(key, message, hashlib.sha256).hexdigest()[:32]}"

    page = client.get("/report/details")
    assert page.h1 == "About the people responsible"
    assert page.value("perpetrators_known") == "yes", "what the draft holds is shown, not asked again"
