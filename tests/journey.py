"""Walking the reporting journey as a resident, for tests that need a report or a draft."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Attachment
from tests import factories
from tests.helpers import Page, PageClient


def choose(client: PageClient, kind: str) -> Page:
    return client.post_form("/report", {"kind": kind})


def pages_answered(kind: str, about: dict[str, Any] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """Each question page and what a resident reporting ``kind`` answers on it, in the journey's order."""
    return [
        ("what", factories.WHAT[kind]),
        ("details", factories.DETAILS[kind]),
        ("where", factories.WHERE),
        ("when", factories.WHEN),
        ("impact", factories.IMPACT),
        ("evidence", {"continue": "continue"}),
        ("about-you", about if about is not None else factories.about_for(kind)),
    ]


def answer_pages(client: PageClient, kind: str, through: str) -> Page:
    """Answer the question pages of an open ``kind`` draft in order, up to and including ``through``."""
    for slug, data in pages_answered(kind):
        page = client.post_form(f"/report/{slug}", data)
        assert not page.errors, f"{slug}: {page.errors}"
        if slug == through:
            return page
    raise ValueError(f"no question page {through!r}")


def fill_until(
    client: PageClient, kind: str, stop_before: str | None = None, about: dict[str, Any] | None = None
) -> Page:
    """Answer every page in order, stopping before the page ``stop_before`` if given."""
    page = choose(client, kind)
    for slug, data in pages_answered(kind, about):
        if slug == stop_before:
            return page
        page = client.post_form(f"/report/{slug}", data)
        assert not page.errors, f"{slug}: {page.errors}"
    return page


def submit(client: PageClient, kind: str, about: dict[str, Any] | None = None) -> Page:
    page = fill_until(client, kind, about=about)
    assert page.h1 == "Check your answers before sending your report"
    return client.post_form("/report/check")


def upload(client: PageClient, *files: tuple[bytes, str]) -> Page:
    """Choose ``files`` (their bytes and names) on the evidence page and press Upload."""
    token = client.get("/report/evidence").csrf_token()
    return client.post(
        "/report/evidence",
        {
            "csrf_token": token,
            "files": [(io.BytesIO(data), name) for data, name in files],
            "upload": "Upload file",
        },
        content_type="multipart/form-data",
    )


def kept(app: Flask) -> list[tuple[Attachment, Path]]:
    """Every evidence file the portal holds, with where it is stored, oldest first."""
    with app.app_context():
        rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
        db.session.expunge_all()
    return [(row, Path(app.config["UPLOAD_FOLDER"]) / row.storage_name) for row in rows]
