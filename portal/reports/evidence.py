"""Evidence files: photos or PDFs, checked by their content, stored outside ``static/``."""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import IO

import filetype
from flask import current_app

from portal.extensions import db
from portal.models import Attachment, Draft

# What residents may upload, by the type their bytes show, with the name we give it on screen.
ACCEPTED_TYPES = {
    "image/jpeg": "JPEG photo",
    "image/png": "PNG image",
    "image/heic": "HEIC photo",
    "image/heif": "HEIF photo",
    "application/pdf": "PDF document",
}
_CHUNK = 64 * 1024


class EvidenceError(ValueError):
    """An upload was refused; the message says what to do instead, in the GOV.UK style."""


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def path_for(attachment: Attachment) -> Path:
    return upload_folder() / attachment.storage_name


def delete_file(attachment: Attachment) -> None:
    path_for(attachment).unlink(missing_ok=True)


def clean_filename(name: str) -> str:
    """The resident's file name, for display only: no folders, no control characters, not too long."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return (name or "evidence")[:200]


def add_to_draft(draft: Draft, stream: IO[bytes], filename: str) -> Attachment:
    """Check one uploaded file and keep it with the draft. Raises ``EvidenceError``."""
    limit = current_app.config["UPLOAD_MAX_FILES"]
    if len(draft.attachments) >= limit:
        raise EvidenceError(f"You can upload up to {limit} files. Remove a file to add another")
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    display_name = clean_filename(filename)

    storage_name = secrets.token_hex(24)
    path = upload_folder() / storage_name
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise EvidenceError(
                        f"{display_name} must be smaller than {max_bytes // (1024 * 1024)} MB"
                    )
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise EvidenceError(f"{display_name} is empty")
        kind = filetype.guess(head)
        if kind is None or kind.mime not in ACCEPTED_TYPES:
            raise EvidenceError(f"{display_name} must be a JPEG, PNG or HEIC photo, or a PDF")
    except BaseException:
        path.unlink(missing_ok=True)
        raise

    attachment = Attachment(
        storage_name=storage_name,
        original_name=display_name,
        content_type=kind.mime,
        size_bytes=size,
        sha256=digest.hexdigest(),
        draft_id=draft.id,
    )
    db.session.add(attachment)
    draft.renew(timedelta(hours=current_app.config["DRAFT_LIFETIME_HOURS"]))
    db.session.commit()
    return attachment


def remove_from_draft(draft: Draft, attachment_id: int) -> bool:
    """Remove an evidence file the resident uploaded to this draft; False if it is not theirs."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.draft_id != draft.id or attachment.report_id is not None:
        return False
    delete_file(attachment)
    db.session.delete(attachment)
    db.session.commit()
    return True


def add_uploads(draft: Draft, uploads: list[tuple[IO[bytes], str]]) -> str | None:
    """Keep each uploaded file with the draft, stopping at the first refused; its reason, or None."""
    for stream, filename in uploads:
        try:
            add_to_draft(draft, stream, filename)
        except EvidenceError as error:
            return str(error)
    return None
