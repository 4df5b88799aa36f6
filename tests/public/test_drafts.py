"""Drafts live on the server for 24 hours after the last change, then go with their files."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Attachment, Draft
from portal.models.types import utcnow
from portal.reports.drafts import purge_expired_drafts
from tests.evidence_files import PNG
from tests.helpers import PageClient
from tests.journey import choose, fill_until


def test_the_session_cookie_holds_no_answers(client: PageClient) -> None:
    choose(client, "asb")
    client.post_form(
        "/report/what",
        {
            "types": ["noise"],
            "description": "Shouting every night",
            **{"perpetrators_known": "no", "perpetrator_is_neighbour": "no", "willing_to_mediate": "no"},
        },
    )
    cookie = client.client.get_cookie("session")
    assert cookie is not None
    assert b"Shouting" not in cookie.value.encode() and "Shouting" not in cookie.decoded_value


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
