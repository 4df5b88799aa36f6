"""Evidence files: photos or PDFs, checked by their content, stored outside ``static/``.

Photos are opened and saved again before they are kept, so nothing but the picture survives: no
EXIF, no GPS position, no camera serial number, no XMP or IPTC, no comments, no PNG text chunks.
A colour profile is applied to the pixels (they are kept as sRGB) and then dropped, since a phone's
profile can name the phone. HEIC photos are kept as JPEG, which every officer's computer can open.
An image of more than MAX_IMAGE_PIXELS (16 megapixels) is refused from the size in its header,
before it is unpacked: a larger one would tie up a worker, and a small file can unpack to a huge
picture (a "decompression bomb").

PDFs are rewritten with pikepdf (qpdf) without their document information (author, title,
creator, producer, dates), any XMP metadata, anything that runs or fetches when the PDF is opened
or used (/OpenAction, /AA actions, the document's JavaScript, link and bookmark actions, XFA
forms' scripts, media), attached files (embedded files and the annotations that carry them),
annotations' author names, and the EXIF, XMP, IPTC, colour profiles and comments inside their JPEG
images; only the objects the document refers to are written, so an earlier revision's go too. A
PDF of one revision with none of these anywhere in its bytes is kept exactly as sent. A PDF that
cannot be read, is protected with a password, or is too large to check is refused.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import re
import secrets
import struct
import unicodedata
import warnings
from datetime import timedelta
from pathlib import Path
from typing import IO

import filetype
import pikepdf
import pillow_heif
from flask import current_app
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

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
# 4,608 by 3,456 fits, as do a phone's usual 12-megapixel photos of any shape. Measured here
# (bench/upload_cost.py), the worst picture at the bound costs a worker about a CPU second (a HEIC
# photo on its side) and under 200 MB (a progressive CMYK JPEG on its side); at 50 million pixels
# one took nearly 3 CPU seconds and over 500 MB.
MAX_IMAGE_PIXELS = 16_000_000
MAX_MEGAPIXELS = MAX_IMAGE_PIXELS // 1_000_000

# A PDF of more pages or objects than this is refused: reading and rewriting it would take too
# long (a PDF of 120,000 tiny objects in 9 MB took 6.5 CPU seconds and 440 MB). A scanned letter
# has tens of objects; a 300-page report exported from a word processor, a few thousand.
MAX_PDF_PAGES = 500
MAX_PDF_OBJECTS = 20_000
# JPEG segments that say nothing about who took the picture: JFIF's header and Adobe's colour flag.
_PLAIN_JPEG_SEGMENTS = {0xE0: b"JFIF\x00", 0xEE: b"Adobe"}

Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
pillow_heif.register_heif_opener()
log = logging.getLogger(__name__)


class EvidenceError(ValueError):
    """An upload was refused; the message says what to do instead, in the GOV.UK style."""


def upload_folder() -> Path:
    """The evidence folder, made for the portal's user alone if it is not there yet."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)  # whatever the umask
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
    """Check one uploaded file and keep it with the draft, once. Raises ``EvidenceError``."""
    limit = current_app.config["UPLOAD_MAX_FILES"]
    if len(draft.attachments) >= limit:
        raise EvidenceError(f"You can upload up to {limit} files. Remove a file to add another")
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    display_name = clean_filename(filename)

    storage_name = secrets.token_hex(24)
    path = upload_folder() / storage_name
    try:
        content_type, display_name, size, sha256 = _keep(stream, path, display_name, max_bytes)
        # The same file sent again, by its name and content (a second press after a page that did
        # not load, say), is kept once: the resident would otherwise find two copies to remove.
        for kept in draft.attachments:
            if (kept.sha256, kept.size_bytes, kept.original_name) == (sha256, size, display_name):
                path.unlink(missing_ok=True)
                return kept
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
    except BaseException:
        # Whatever went wrong, nothing of this file is left behind: not a part written before the
        # disk filled, nor a whole file whose row was not saved.
        path.unlink(missing_ok=True)
        raise
    return attachment


def keep_files(uploads: list[tuple[IO[bytes], str]]) -> list[Attachment]:
    """Check and keep each uploaded file, as ``add_to_draft`` does, for rows the caller adds to its
    own transaction (an incident's evidence): at most ``UPLOAD_MAX_FILES``, each smaller than
    ``UPLOAD_MAX_BYTES``. On the first refused, nothing of any of them is left and ``EvidenceError``
    says why; the caller deletes the files (``delete_file``) if its transaction does not commit.
    """
    limit = current_app.config["UPLOAD_MAX_FILES"]
    if len(uploads) > limit:
        raise EvidenceError(f"You can upload up to {limit} files. Select fewer files")
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    kept: list[Attachment] = []
    try:
        for stream, filename in uploads:
            storage_name = secrets.token_hex(24)
            path = upload_folder() / storage_name
            try:
                content_type, display_name, size, sha256 = _keep(
                    stream, path, clean_filename(filename), max_bytes
                )
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            kept.append(
                Attachment(
                    storage_name=storage_name,
                    original_name=display_name,
                    content_type=content_type,
                    size_bytes=size,
                    sha256=sha256,
                )
            )
    except BaseException:
        for attachment in kept:
            delete_file(attachment)
        raise
    return kept


def _keep(stream: IO[bytes], path: Path, display_name: str, max_bytes: int) -> tuple[str, str, int, str]:
    """Write the upload to ``path`` and clean it. Returns its type, name, size and SHA-256 as kept."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
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
    except OSError as error:
        raise _not_saved(display_name, error) from None
    if size == 0:
        raise EvidenceError(f"{display_name} is empty")
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        raise EvidenceError(f"{display_name} must be a JPEG, PNG or HEIC photo, or a PDF")
    content_type = kind.mime
    if content_type in IMAGE_TYPES:
        content_type, display_name = _strip_metadata(path, content_type, display_name)
    elif not _strip_pdf_metadata(path, display_name):
        return content_type, display_name, size, digest.hexdigest()
    size, sha256 = _measure(path)
    return content_type, display_name, size, sha256


def _not_saved(display_name: str, error: OSError) -> EvidenceError:
    """The resident's message when the file could not be written (a full disk, most often)."""
    log.error(
        "evidence file not saved: %s",
        errno.errorcode.get(error.errno or 0, "unknown error"),
        extra={"errno": error.errno},
    )
    return EvidenceError(f"{display_name} was not saved. Try again, or send your report without it")


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
            # Image.open checks the size in the header against MAX_IMAGE_PIXELS, HEIC included, before
            # anything is unpacked; past it Pillow only warns (it refuses at twice that): refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                opened.load()
                # Turn the picture the way its EXIF says before the EXIF goes, so it stays upright.
                # In place: a copy would double the memory a large photo takes.
                ImageOps.exif_transpose(opened, in_place=True)
                picture = _in_srgb(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EvidenceError(
            f"{display_name} must be {MAX_MEGAPIXELS} megapixels or smaller: "
            "take the photo at your camera's usual size, or upload a smaller copy"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise EvidenceError(f"{display_name} could not be read as a photo: it may be damaged") from None

    # Pillow writes back what the picture's info holds (a JPEG comment, a PNG's colour profile):
    # keep only transparency, which is part of the picture.
    picture.info = {key: value for key, value in picture.info.items() if key == "transparency"}
    try:
        if content_type == "image/png":
            picture.save(path, format="PNG")
            return content_type, display_name
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.save(path, format="JPEG", quality=90)
    except OSError as error:
        raise _not_saved(display_name, error) from None
    if content_type != "image/jpeg":
        stem = display_name.rsplit(".", 1)[0] if "." in display_name else display_name
        display_name = f"{stem}.jpg"
    return "image/jpeg", display_name


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _in_srgb(picture: Image.Image) -> Image.Image:
    """The picture's colours in sRGB, by its own colour profile, so the profile can be dropped."""
    icc = picture.info.get("icc_profile")
    if not icc or picture.mode not in ("RGB", "RGBA", "CMYK"):
        return picture
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if picture.mode == "CMYK":
            converted = ImageCms.profileToProfile(picture, profile, _SRGB, outputMode="RGB")
            return converted if converted is not None else picture
        ImageCms.profileToProfile(picture, profile, _SRGB, inPlace=True)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        pass  # an unreadable profile: the pixels are kept as they are, without it
    return picture


def _strip_pdf_metadata(path: Path, display_name: str) -> bool:
    """Rewrite the PDF without its metadata and active content; False if it had none, kept as sent."""
    damaged = EvidenceError(f"{display_name} could not be read as a PDF: it may be damaged")
    too_complicated = EvidenceError(
        f"{display_name} is too complicated a PDF to check: save it as a new PDF and upload that"
    )
    try:
        # Without recovery: qpdf would otherwise rebuild a cut-short file by guesswork.
        with pikepdf.open(path, attempt_recovery=False, allow_overwriting_input=True) as pdf:
            if pdf.is_encrypted:
                raise pikepdf.PasswordError("encrypted")
            # The cross-reference table is read when the file is opened; its objects are not yet.
            if len(pdf.get_xref_table()) > MAX_PDF_OBJECTS:
                raise too_complicated
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise EvidenceError(f"{display_name} must have {MAX_PDF_PAGES} pages or fewer")
            if not (_clean_pdf(pdf, too_complicated) or _may_hide_metadata(path)):
                return False
            try:
                # qpdf writes only the objects the document refers to: what was unlinked is left out.
                pdf.save(path)
            except OSError as error:
                raise _not_saved(display_name, error) from None
    except EvidenceError:
        raise
    except pikepdf.PasswordError:
        raise EvidenceError(
            f"{display_name} is protected with a password: save a copy without one and upload that"
        ) from None
    except (pikepdf.PdfError, ValueError, KeyError, TypeError, IndexError, RecursionError, RuntimeError):
        raise damaged from None
    return True


# Words in a PDF's bytes that may belong to metadata or active content the parsed objects do not
# show: an earlier revision's objects, say. A PDF with any of them is written again, to be sure.
_PDF_MARKERS = (
    b"/Info",
    b"/Metadata",
    b"xmpmeta",
    b"/PieceInfo",
    b"/ObjStm",
    b"/Author",
    b"/Creator",
    b"/Producer",
    b"/JavaScript",
    b"/JS",
    b"/OpenAction",
    b"/AA",
    b"/EmbeddedFile",
    b"/EF",
    b"/AF",
    b"/XFA",
    b"/URI",
    b"/Launch",
    b"/GoToR",
    b"/SubmitForm",
)


def _may_hide_metadata(path: Path) -> bool:
    """Whether the PDF must be written again to be sure none of its bytes is metadata.

    A PDF kept as sent must have one revision and none of the markers anywhere in it.
    """
    data = path.read_bytes()
    return data.count(b"startxref") > 1 or any(marker in data for marker in _PDF_MARKERS)


# Keys that hold metadata (document information is the trailer's /Info), actions that run when the
# PDF is opened or a page shown (/OpenAction, /AA), scripts (the /JavaScript name tree, XFA forms'
# scripts), attached files (the /EmbeddedFiles name tree, a file specification's /EF, associated
# files /AF) and media that may fetch or play something. Wherever they appear, they go.
_DROPPED_KEYS = (
    "/Metadata",
    "/PieceInfo",
    "/OpenAction",
    "/AA",
    "/JavaScript",
    "/EmbeddedFiles",
    "/EF",
    "/AF",
    "/XFA",
    "/AlternatePresentations",
    "/Renditions",
)
# An annotation of these kinds is an attached file, or media, or a script's player: dropped whole.
_DROPPED_ANNOTATIONS = ("/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D")
# An annotation's author and the time they wrote it (a form field's /T is its name, and is kept).
_ANNOTATION_AUTHOR_KEYS = ("/T", "/M", "/CreationDate")
# Streams whose whole content is metadata or an attached file: emptied too, in case anything
# left names them.
_EMPTIED_STREAMS = ("/Metadata", "/EmbeddedFile")


def _clean_pdf(pdf: pikepdf.Pdf, too_complicated: EvidenceError) -> bool:
    """Drop the PDF's metadata, actions, scripts and attached files; whether there were any."""
    changed = False
    for page in pdf.pages:
        annotations = page.obj.get("/Annots")
        if not isinstance(annotations, pikepdf.Array):
            continue
        kept = [annotation for annotation in annotations if not _dropped_annotation(annotation)]
        if len(kept) != len(annotations):
            page.obj.Annots = pikepdf.Array(kept)
            changed = True
        for annotation in kept:
            if isinstance(annotation, pikepdf.Dictionary) and annotation.get("/Subtype") != "/Widget":
                changed |= _drop_keys(annotation, _ANNOTATION_AUTHOR_KEYS)
    changed |= _drop_keys(pdf.trailer, ("/Info",))
    # Every object in the file, those nothing refers to included, and the ones written inside them.
    pending: list[pikepdf.Object] = list(pdf.objects)
    while pending:
        obj = pending.pop()
        if isinstance(obj, pikepdf.Array):
            pending.extend(item for item in obj if _direct_container(item))
            continue
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        changed |= _drop_keys(obj, _DROPPED_KEYS)
        for key in ("/A", "/PA"):
            # A link's or a bookmark's action (a JavaScript, a web address, a program to launch).
            action = obj.get(key)
            if isinstance(action, pikepdf.Dictionary) and "/S" in action:
                del obj[key]
                changed = True
        if isinstance(obj, pikepdf.Stream):
            changed |= _clean_stream(obj, too_complicated)
        pending.extend(value for _key, value in obj.items() if _direct_container(value))
    return changed


def _direct_container(value: object) -> bool:
    """Whether ``value`` is a dictionary or array written inside another object (not one of its own)."""
    return isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect


def _dropped_annotation(annotation: pikepdf.Object) -> bool:
    return isinstance(annotation, pikepdf.Dictionary) and annotation.get("/Subtype") in _DROPPED_ANNOTATIONS


def _drop_keys(obj: pikepdf.Object, keys: tuple[str, ...]) -> bool:
    found = [key for key in keys if key in obj]
    for key in found:
        del obj[key]
    return bool(found)


def _clean_stream(stream: pikepdf.Stream, too_complicated: EvidenceError) -> bool:
    """Empty a metadata or attached-file stream; strip a JPEG image's metadata segments."""
    if stream.get("/Type") in _EMPTIED_STREAMS:
        if stream.read_raw_bytes():
            stream.write(b"")
            return True
        return False
    filters = stream.get("/Filter")
    names = [str(name) for name in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
    if "/DCTDecode" not in names:
        return False
    if names != ["/DCTDecode"]:
        # A JPEG wrapped in another filter: qpdf cannot unwrap it alone, and it is rare.
        raise too_complicated
    data = stream.read_raw_bytes()
    plain = _plain_jpeg(data)
    if plain == data:
        return False
    parameters = stream.get("/DecodeParms")
    stream.write(
        plain,
        filter=pikepdf.Name.DCTDecode,
        decode_parms=parameters if isinstance(parameters, (pikepdf.Dictionary, pikepdf.Array)) else None,
    )
    return True


# The next marker in a JPEG's compressed picture data: 0xFF followed by neither a stuffed zero nor
# a restart marker (which belong to the data).
_JPEG_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")


def _plain_jpeg(data: bytes) -> bytes:
    """A JPEG's bytes without EXIF, XMP, IPTC, colour profile and comment segments, wherever they are.

    A comment may come between the scans of a progressive JPEG, and bytes after its end: every
    segment is looked at, and nothing after the end is kept.
    """
    if data[:2] != b"\xff\xd8":
        return data
    kept = [data[:2]]
    position, end = 2, len(data)
    while position + 1 < end:
        if data[position] != 0xFF:
            found = _JPEG_NEXT_MARKER.search(data, position)
            following = found.start() if found else end
            kept.append(data[position:following])
            position = following
            continue
        marker = data[position + 1]
        if marker == 0xFF:  # a fill byte before a marker
            position += 1
            continue
        if marker == 0xD9:
            kept.append(b"\xff\xd9")
            return b"".join(kept)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            kept.append(data[position : position + 2])
            position += 2
            continue
        if position + 4 > end:
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segment = data[position : position + 2 + length]
        metadata = marker == 0xFE or 0xE0 <= marker <= 0xEF
        if not metadata or segment[4:].startswith(_PLAIN_JPEG_SEGMENTS.get(marker, b"\xff\xff")):
            kept.append(segment)
        position += 2 + length
    kept.append(data[position:])
    return b"".join(kept)


def _measure(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as stored:
        while chunk := stored.read(_CHUNK):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()
