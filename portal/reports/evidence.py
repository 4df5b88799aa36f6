"""Evidence files: photos or PDFs, checked by their content, stored outside ``static/``.

Photos are opened and saved again before they are kept, so nothing but the picture survives: no
EXIF, no GPS position, no camera serial number, no comments. HEIC photos are kept as JPEG, which
every officer's computer can open. An image that would unpack to more than MAX_IMAGE_PIXELS
(a "decompression bomb") is refused before it is unpacked.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import warnings
from datetime import timedelta
from pathlib import Path
from typing import IO

import filetype
import pillow_heif
from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

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
IMAGE_TYPES = ("image/jpeg", "image/png", "image/heic", "image/heif")
# About 8,000 by 6,000: more than any phone camera takes.
MAX_IMAGE_PIXELS = 50_000_000

Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
pillow_heif.register_heif_opener()


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
        content_type = kind.mime
        if content_type in IMAGE_TYPES:
            content_type, display_name = _strip_metadata(path, content_type, display_name)
            size, sha256 = _measure(path)
        else:
            sha256 = digest.hexdigest()
    except BaseException:
        path.unlink(missing_ok=True)
        raise

    attachment = Attachment(
        storage_name=storage_name,
        original_name=display_name,
        content_type=content_type,
        size_bytes=size,
        sha256=sha256,
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


def _strip_metadata(path: Path, content_type: str, display_name: str) -> tuple[str, str]:
    """Save the photo again with its pixels only. Returns its type and name as kept."""
    try:
        with warnings.catch_warnings():
            # Past MAX_IMAGE_PIXELS Pillow only warns (it refuses at twice that): refuse at once.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                # Turn the picture the way its EXIF says before the EXIF goes, so it stays upright.
                picture = ImageOps.exif_transpose(opened)
                picture.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EvidenceError(f"{display_name} is too large a picture: take a smaller photo") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise EvidenceError(f"{display_name} could not be read as a photo: it may be damaged") from None

    if content_type == "image/png":
        picture.save(path, format="PNG")
        return content_type, display_name
    if picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    picture.save(path, format="JPEG", quality=90)
    if content_type != "image/jpeg":
        stem = display_name.rsplit(".", 1)[0] if "." in display_name else display_name
        display_name = f"{stem}.jpg"
    return "image/jpeg", display_name


def _measure(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as stored:
        while chunk := stored.read(_CHUNK):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()
