"""Drafts live on the server for 24 hours after the last change, then go with their files."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Attachment, Draft
from portal.models.types import utcnow
from portal.public import progress
from portal.public.progress import PROGRESS_KEY
from portal.reports.drafts import DraftState, purge_expired_drafts
from tests.evidence_files import PNG
from tests.helpers import PageClient
from tests.journey import choose, fill_until


def test_the_session_cookie_holds_no_answers(client: PageClient) -> None:
    choose(client, "asb")
    client.post_form("/report/what", {"types": ["noise"], "description": "Shouting every night"})
    client.post_form("/report/details", {"perpetrators_known": "no"})
    cookie = client.client.get_cookie("session")
    assert cookie is not None
    assert b"Shouting" not in cookie.value.encode() and "Shouting" not in cookie.decoded_value


def draft_answers(app: Flask) -> dict[str, Any]:
    with app.app_context():
        return dict(db.session.scalars(select(Draft)).one().answers)


def test_a_kinds_answers_asked_on_two_pages_are_kept_together(app: Flask, client: PageClient) -> None:
    choose(client, "asb")
    client.post_form("/report/what", {"types": ["noise"], "description": "Shouting every night"})
    client.post_form("/report/details", {"perpetrators_known": "yes", "perpetrator_is_neighbour": "no"})
    client.post_form("/report/what", {"types": ["noise", "drugs"], "description": "Shouting every night"})
    assert draft_answers(app)["asb"] == {
        "types": ["noise", "drugs"],
        "perpetrators_known": True,
        "perpetrator_is_neighbour": False,
    }


def progress_note(app: Flask, client: PageClient, completed: tuple[str, ...]) -> str | None:
    """The note of progress the session kept for the resident's draft with ``completed`` pages done."""
    with app.test_request_context(), app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        state = DraftState(draft.id, draft.kind, completed, draft.expires_at)
        expires = int(state.expires_at.timestamp())
        return f"{expires}.{progress._hash(progress._key(), state.id, state.kind, completed, expires)}"


# A draft saved when one page asked what is happening with the kind's own questions, and another
# where and when: its answers are in the same shape, and its pages done are those two.
BEFORE_THE_PAGES_WERE_SPLIT = {
    "description": "Shouting every night",
    "asb": {"types": ["noise"], "perpetrators_known": True, "perpetrator_is_neighbour": False},
    "location": {"address": "14 Station Road, Dronfield", "postcode": "S18 1AB", "ward": ""},
    "started": "this_month",
    "frequency": "daily",
    "previous_reports": "none",
}


def test_a_draft_saved_before_the_pages_were_split_asks_the_new_pages_and_keeps_every_answer(
    app: Flask, client: PageClient
) -> None:
    choose(client, "asb")
    with app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        draft.answers = BEFORE_THE_PAGES_WERE_SPLIT
        draft.completed = ["what", "where"]
        db.session.commit()
    with client.client.session_transaction() as kept:
        # Its note of progress was made for those pages done, which are no point of the journey now.
        kept[PROGRESS_KEY] = progress_note(app, client, ("what", "where"))

    details = client.get("/report/impact")
    assert details.path == "/report/details", "the first page not done comes first"
    assert (details.value("perpetrators_known"), details.value("perpetrator_is_neighbour")) == ("yes", "no")
    when = client.post_form(
        "/report/details", {"perpetrators_known": "yes", "perpetrator_is_neighbour": "no"}
    )
    assert when.path in ("/report/where", "/report/when")
    assert client.get("/report/when").value("frequency") == "daily"
    client.post_form(
        "/report/when", {"started": "this_month", "frequency": "daily", "previous_reports": "none"}
    )

    assert client.get("/report/where").value("address") == "14 Station Road, Dronfield"
    assert draft_answers(app) == BEFORE_THE_PAGES_WERE_SPLIT
    assert client.get("/report/impact").path == "/report/impact"


def test_a_draft_expires_24_hours_after_its_last_change(app: Flask, client: PageClient) -> None:
    choose(client, "asb")
    with app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        lifetime = draft.expires_at - draft.updated_at
    assert lifetime == timedelta(hours=24)


def test_purging_removes_expired_drafts_and_their_files_but_keeps_live_ones(app: Flask) -> None:
    stale, live = PageClient(app.test_client()), PageClient(app.test_client())
    for client in (stale, live):
        fill_until(client, "asb", stop_before="evidence")
        token = client.get("/report/evidence").csrf_token()
        client.post(
            "/report/evidence",
            {"csrf_token": token, "files": (io.BytesIO(PNG), "door.png"), "upload": "Upload file"},
            content_type="multipart/form-data",
        )
    with app.app_context():
        drafts = db.session.scalars(select(Draft).order_by(Draft.created_at)).all()
        drafts[0].expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        stale_files = [Path(app.config["UPLOAD_FOLDER"]) / a.storage_name for a in drafts[0].attachments]
        live_id = drafts[1].id

        assert purge_expired_drafts() == 1

        assert [d.id for d in db.session.scalars(select(Draft))] == [live_id]
        assert all(not path.exists() for path in stale_files)
        remaining = db.session.scalars(select(Attachment)).all()
        assert [a.draft_id for a in remaining] == [live_id]
    assert live.get("/report/evidence").h1 == "Add photos or documents (optional)"
    assert stale.get("/report/evidence").h1 == "Your answers are no longer available"


def test_drafts_purge_command_reports_what_it_did(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["drafts", "purge"])
    assert result.exit_code == 0
    assert result.output.strip() == "0 expired drafts deleted"
