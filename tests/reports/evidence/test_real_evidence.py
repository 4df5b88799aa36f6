"""Real evidence: camera photos, HEIC, screenshots and PDFs of several megabytes, as residents send them.

Every file is accepted and kept without its metadata; the form limits never refuse a file part
because of where its bytes fall; a full disk tells the resident the file was not saved.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from bs4 import BeautifulSoup
from flask import Flask, request
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.formparser import MultiPartParser
from werkzeug.test import encode_multipart

from portal.config import FORM_MEMORY_LIMIT
from portal.extensions import db
from portal.models import Attachment, Report
from portal.reports.evidence import MAX_PDF_OBJECTS
from portal.triage.contract import DESCRIPTION_MAX
from tests import factories
from tests.conftest import make_app
from tests.evidence_files import (
    MB,
    PDF_EXTRAS,
    PLANTED,
    PNG,
    EvidenceFiles,
    exact_size_pdf,
    many_object_pdf,
    metadata_found,
    numbered,
    password_protected_pdf,
    pdf_active_content,
    pdf_carrying,
    pdf_with_orphaned_xmp,
    pdf_with_wrapped_jpeg,
    small_pdf,
)
from tests.helpers import Page, PageClient
from tests.journey import fill_until, kept, upload

TOO_LARGE = "The files you chose are too large"


# --- Where a file's bytes fall in the request ------------------------------------------------------

# Boundaries as browsers write them (Chromium and Safari, Firefox, curl) and the longest RFC 2046 allows.
BOUNDARIES = [
    "----WebKitFormBoundary7MA4YWxkTrZu0gW",
    "----geckoformboundary3c6f1a9e2b7d4c8f9a0b1c2d3e4f5a6b",
    "------------------------d74496d66958873e",
    "b" * 70,
]
READ = inspect.signature(MultiPartParser).parameters["buffer_size"].default


def multipart_body(boundary: str, data: bytes, csrf: str = "unchecked") -> tuple[bytes, int]:
    """A browser's body for one file, and the offset in it where the file's bytes start."""
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="upload"\r\n\r\nUpload file\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="files"; filename="IMG_2041.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), len(head)


def parsed_file(app: Flask, boundary: str, body: bytes) -> bytes:
    """The file as the portal's request parsing reads it, under the portal's form limits."""
    with app.test_request_context(
        "/report/evidence",
        method="POST",
        input_stream=io.BytesIO(body),
        content_type=f"multipart/form-data; boundary={boundary}",
        content_length=len(body),
    ):
        return request.files["files"].read()


@pytest.mark.parametrize("boundary", BOUNDARIES, ids=len)
def test_a_file_is_read_whole_wherever_a_cr_or_lf_falls_around_each_read_of_the_body(
    app: Flask, boundary: str
) -> None:
    """Werkzeug reads a body in 64 KiB pieces and holds back a piece's tail that may begin a
    boundary; a file part must never count against the form memory limit because of it."""
    data = bytes(range(256)).replace(b"\r", b"x").replace(b"\n", b"x") * (3 * READ // 256)
    _, start = multipart_body(boundary, b"")
    refused = []
    for edge in (READ, 2 * READ):
        for offset in range(-len(boundary) - 12, 12):
            for line_break in (b"\r", b"\n", b"\r\n"):
                at = edge + offset - start
                planted = data[:at] + line_break + data[at + len(line_break) :]
                body, _ = multipart_body(boundary, planted)
                try:
                    assert parsed_file(app, boundary, body) == planted
                except Exception as error:
                    refused.append((edge, offset, line_break, type(error).__name__))
    assert refused == []


def test_an_upload_through_the_evidence_page_is_never_too_large_for_where_its_line_breaks_fall(
    client: PageClient,
) -> None:
    """The same, end to end: each file reaches the portal's own check of its content."""
    boundary = BOUNDARIES[0]
    data = bytes(range(256)).replace(b"\r", b"x").replace(b"\n", b"x") * (2 * READ // 256)
    fill_until(client, "asb", stop_before="evidence")
    outcomes = set()
    for offset in range(-len(boundary) - 8, 8):
        for line_break in (b"\r", b"\n"):
            token = client.get("/report/evidence").csrf_token()
            _, start = multipart_body(boundary, b"", token)
            at = READ + offset - start
            body, _ = multipart_body(boundary, data[:at] + line_break + data[at + 1 :], token)
            page = client.post(
                "/report/evidence", body, content_type=f"multipart/form-data; boundary={boundary}"
            )
            outcomes.add((page.status, tuple(page.errors)))
    assert outcomes == {(200, ("IMG_2041.jpg must be a JPEG, PNG or HEIC photo, or a PDF",))}


def test_the_form_memory_limit_leaves_room_for_a_read_and_the_longest_boundary() -> None:
    longest_head = len(b"\r\n--") + 70 + len(b"--\r\n") + 4096  # a part's headers, a long file name
    assert READ + longest_head <= FORM_MEMORY_LIMIT


def test_a_camera_photo_is_not_refused_as_too_large(
    client: PageClient, evidence_files: EvidenceFiles, app: Flask
) -> None:
    fill_until(client, "asb", stop_before="evidence")
    page = upload(client, (evidence_files.bytes("camera_6mb.jpg"), "IMG_2041.jpg"))
    assert page.status == 200 and page.h1 != TOO_LARGE
    assert not page.errors
    assert len(kept(app)) == 1


def multipart_field(client: PageClient, slug: str, description: str) -> Page:
    """The 'what' page posted as a multipart form, as a browser posts a form that has a file input."""
    token = client.get(f"/report/{slug}").csrf_token()
    data: dict[str, Any] = {**factories.WHAT["asb"], "description": description, "csrf_token": token}
    return client.post(f"/report/{slug}", data, content_type="multipart/form-data")


def test_a_description_of_the_longest_allowed_length_in_four_byte_characters_is_accepted(
    client: PageClient,
) -> None:
    fill_until(client, "asb", stop_before="what")
    description = "\U0001f6a8" * DESCRIPTION_MAX
    assert len(description.encode()) == 4 * DESCRIPTION_MAX
    page = multipart_field(client, "what", description)
    assert page.status == 200 and not page.errors
    assert client.get("/report/what").value("description") == description


@pytest.mark.parametrize(
    ("content_type", "h1"),
    [
        ("multipart/form-data", TOO_LARGE),
        ("application/x-www-form-urlencoded", "What you typed is too long"),
    ],
)
def test_a_huge_text_field_gets_the_too_large_page_and_the_answers_are_kept(
    client: PageClient, content_type: str, h1: str
) -> None:
    fill_until(client, "asb", stop_before="evidence")
    token = client.get("/report/what").csrf_token()
    data = {**factories.WHAT["asb"], "description": "x" * (2 * MB), "csrf_token": token}
    page = client.post("/report/what", data, content_type=content_type)
    assert page.status == 413
    assert page.h1 == h1
    assert client.get("/report/what").value("description") == factories.WHAT["asb"]["description"]


# --- Real files through the resident's journey -----------------------------------------------------

KINDS = {
    "camera_3mb.jpg": ("IMG_2041.JPG", "image/jpeg", (3264, 2448)),
    "camera_6mb.jpg": ("IMG_2042.JPG", "image/jpeg", (4000, 3000)),
    # Stored on its side with Orientation 6, as phones store portrait photos: kept upright.
    "camera_9mb.jpg": ("IMG_2043.JPG", "image/jpeg", (3000, 4000)),
    "portrait.heic": ("IMG_2044.HEIC", "image/jpeg", (3024, 4032)),
    "screenshot.png": ("Screenshot 2026-11-28 at 22.41.07.png", "image/png", (1170, 2532)),
    "letter.pdf": ("Letter from the landlord.pdf", "application/pdf", 6),
    "statement.pdf": ("Statement.pdf", "application/pdf", 12),
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_real_evidence_file_is_accepted_and_kept_without_its_metadata(
    app: Flask, client: PageClient, evidence_files: EvidenceFiles, kind: str
) -> None:
    name, content_type, shape = KINDS[kind]
    original = evidence_files.bytes(kind)
    assert len(original) > MB
    assert metadata_found(original), "the file as sent does carry metadata"
    fill_until(client, "asb", stop_before="evidence")

    page = upload(client, (original, name))

    assert page.status == 200 and not page.errors, page.errors
    [(attachment, path)] = kept(app)
    stored = path.read_bytes()
    assert attachment.content_type == content_type
    assert (attachment.size_bytes, attachment.sha256) == (len(stored), hashlib.sha256(stored).hexdigest())
    assert metadata_found(stored) == []
    if content_type == "application/pdf":
        reader = PdfReader(io.BytesIO(stored))
        assert len(reader.pages) == shape
        assert reader.metadata is None
        assert "/Metadata" not in reader.root_object
        for pdf_page in reader.pages:
            [scan] = pdf_page.images
            assert scan.image is not None
            scan.image.load()  # the page's scan, without its metadata segments, still decodes
    else:
        with Image.open(io.BytesIO(stored)) as picture:
            assert picture.size == shape
            picture.load()
            assert len(picture.getexif()) == 0
            assert not {"exif", "xmp", "icc_profile", "comment", "photoshop"} & set(picture.info)
    for word in PLANTED.strings():
        assert word not in stored


@pytest.mark.parametrize("extra", PDF_EXTRAS)
def test_a_pdf_is_kept_without_its_metadata_actions_scripts_or_attached_files(
    app: Flask, client: PageClient, evidence_files: EvidenceFiles, extra: str
) -> None:
    """Document information, XMP, JavaScript run on opening, on a page, by a link or a form field,
    attached files, a comment's author and the comments, EXIF and XMP in the page images: none of
    it is kept."""
    original = pdf_carrying(extra, evidence_files.bytes("letter.pdf"))
    assert MB < len(original) < app.config["UPLOAD_MAX_BYTES"]
    assert pdf_active_content(original), "the PDF as sent does carry it"
    fill_until(client, "asb", stop_before="evidence")

    page = upload(client, (original, "Letter from the landlord.pdf"))

    assert page.status == 200 and not page.errors, page.errors
    [(attachment, path)] = kept(app)
    stored = path.read_bytes()
    assert (attachment.size_bytes, attachment.sha256) == (len(stored), hashlib.sha256(stored).hexdigest())
    assert pdf_active_content(stored) == []
    assert metadata_found(stored) == []
    for word in PLANTED.strings():
        assert word not in stored
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert len(pdf.pages) == 6
        for pdf_page in pdf.pages:
            [scan] = pdf_page.get_images().values()
            picture = pikepdf.PdfImage(scan).as_pil_image()
            picture.load()  # the page's scan, without its metadata segments, still decodes
            assert picture.size == (1654, 2339)


def test_a_clean_pdf_is_kept_exactly_as_sent(app: Flask, client: PageClient) -> None:
    original = exact_size_pdf(2 * MB)
    fill_until(client, "asb", stop_before="evidence")
    assert not upload(client, (original, "scan.pdf")).errors
    [(_attachment, path)] = kept(app)
    assert path.read_bytes() == original


def test_the_same_photo_sent_again_is_kept_once(
    app: Flask, client: PageClient, evidence_files: EvidenceFiles
) -> None:
    """A second press of Upload after a page that did not load sends the same photo again."""
    name, _content_type, _shape = KINDS["camera_3mb.jpg"]
    photo = evidence_files.bytes("camera_3mb.jpg")
    fill_until(client, "asb", stop_before="evidence")
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = set(folder.iterdir()) if folder.exists() else set()  # other tests' files

    assert not upload(client, (photo, name)).errors
    again = upload(client, (photo, name))

    assert again.status == 200 and not again.errors, again.errors
    [(_attachment, path)] = kept(app)
    assert set(folder.iterdir()) - before == {path}, "no second copy on disk"
    assert [key.get_text(strip=True) for key in again.soup.select(".govuk-summary-list__key")] == [name]
    different = upload(client, (exact_size_pdf(MB), "scan.pdf"))
    assert not different.errors and len(kept(app)) == 2


def test_a_pdf_s_metadata_left_behind_by_an_earlier_edit_is_not_kept(app: Flask, client: PageClient) -> None:
    original = pdf_with_orphaned_xmp()
    assert PdfReader(io.BytesIO(original)).metadata is None and PLANTED.xmp_marker.encode() in original
    fill_until(client, "asb", stop_before="evidence")
    assert not upload(client, (original, "edited.pdf")).errors
    [(_attachment, path)] = kept(app)
    stored = path.read_bytes()
    assert metadata_found(stored) == []
    assert len(PdfReader(io.BytesIO(stored)).pages) == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"%PDF-1.4\n" + b"\x00" * 4096, "notes.pdf could not be read as a PDF: it may be damaged"),
        (small_pdf()[:-200], "notes.pdf could not be read as a PDF: it may be damaged"),
        (
            password_protected_pdf(),
            "notes.pdf is protected with a password: save a copy without one and upload that",
        ),
        (
            pdf_with_wrapped_jpeg(),
            "notes.pdf is too complicated a PDF to check: save it as a new PDF and upload that",
        ),
    ],
    ids=["not a pdf inside", "cut short", "password", "jpeg in a second filter"],
)
def test_a_pdf_that_cannot_be_read_or_checked_is_refused(
    app: Flask, client: PageClient, data: bytes, error: str
) -> None:
    fill_until(client, "asb", stop_before="evidence")
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = set(folder.iterdir())
    page = upload(client, (data, "notes.pdf"))
    assert page.errors == [error]
    assert kept(app) == []
    assert set(folder.iterdir()) == before


def test_a_pdf_of_too_many_objects_is_refused_before_it_is_read_whole(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    page = upload(client, (many_object_pdf(MAX_PDF_OBJECTS + 1), "bundle.pdf"))
    assert page.errors == [
        "bundle.pdf is too complicated a PDF to check: save it as a new PDF and upload that"
    ]
    assert kept(app) == []


def test_a_report_with_five_files_of_10_mb_each_is_sent(
    app: Flask, client: PageClient, evidence_files: EvidenceFiles
) -> None:
    limit = app.config["UPLOAD_MAX_BYTES"]
    assert limit == 10 * MB
    # Five different files: the same one sent again would be kept once.
    photos = [evidence_files.bytes(name) for name in ("camera_exact_limit.jpg", "camera_exact_limit_2.jpg")]
    photos.append(evidence_files.bytes("camera_exact_limit_3.jpg"))
    pdfs = [numbered(exact_size_pdf(limit), b"x", n) for n in range(2)]
    assert {len(data) for data in photos + pdfs} == {limit}
    files = [(photo, f"IMG_{n}.JPG") for n, photo in enumerate(photos)]
    files += [(pdf, f"Letter {n}.pdf") for n, pdf in enumerate(pdfs)]
    assert len({data for data, _name in files}) == 5
    fill_until(client, "asb", stop_before="evidence")

    page = upload(client, *files)

    assert page.status == 200 and not page.errors, page.errors
    fields = MultiDict([("csrf_token", "t" * 91), ("upload", "Upload file")])
    for data, name in files:
        fields.add("files", FileStorage(io.BytesIO(data), name, content_type="application/octet-stream"))
    _, body = encode_multipart(fields, boundary=BOUNDARIES[0])
    assert 5 * limit < len(body) <= app.config["MAX_CONTENT_LENGTH"], "five files and the form fit at once"
    assert len(kept(app)) == 5
    assert client.post_form("/report/evidence", {"continue": "continue"}).h1 != TOO_LARGE
    client.post_form("/report/about-you", factories.about_for("asb"))
    assert client.post_form("/report/check").h1 == "Report sent"
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert len(report.attachments) == 5


# --- A full disk ---------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB file system for the evidence files."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        # Lazily: a file a failed test left open must not keep the mount after the run.
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


@pytest.fixture
def full_disk_client(app: Flask, app_settings: dict[str, Any], small_disk: Path) -> Iterator[PageClient]:
    """A second app over the same database whose evidence files go to the small disk."""
    small = make_app(app_settings, UPLOAD_FOLDER=str(small_disk))
    yield PageClient(small.test_client())
    with small.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_file_not_saved_on_a_full_disk_says_so_and_keeps_the_answers_and_earlier_files(
    app: Flask, full_disk_client: PageClient, small_disk: Path, evidence_files: EvidenceFiles
) -> None:
    client = full_disk_client
    fill_until(client, "asb", stop_before="evidence")
    assert not upload(client, (PNG, "first.png")).errors
    [first] = list(small_disk.iterdir())

    page = upload(client, (evidence_files.bytes("camera_3mb.jpg"), "IMG_2041.JPG"))

    assert page.status == 200
    assert page.errors == ["IMG_2041.JPG was not saved. Try again, or send your report without it"]
    assert list(small_disk.iterdir()) == [first], "nothing of the second file is left on the disk"
    with app.app_context():
        names = db.session.scalars(select(Attachment.original_name)).all()
    assert names == ["first.png"]
    assert "first.png" in page.text()
    assert client.get("/report/what").value("description") == factories.WHAT["asb"]["description"]
    assert client.post_form("/report/evidence", {"continue": "continue"}).h1 != page.h1


def test_a_full_disk_while_the_upload_arrives_says_the_file_was_not_saved(
    app: Flask,
    client: PageClient,
    small_disk: Path,
    evidence_files: EvidenceFiles,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Werkzeug spools an upload to the temporary folder as it arrives: that disk may fill first."""
    fill_until(client, "asb", stop_before="evidence")
    assert not upload(client, (PNG, "first.png")).errors
    token = client.get("/report/evidence").csrf_token()
    # Made in memory: the test client would spool a body this large to the temporary folder too.
    body, _ = multipart_body(BOUNDARIES[0], evidence_files.bytes("camera_3mb.jpg"), token)
    monkeypatch.setattr(tempfile, "tempdir", str(small_disk))  # as TMPDIR would, for this upload

    response = client.post_raw(
        "/report/evidence", body, content_type=f"multipart/form-data; boundary={BOUNDARIES[0]}"
    )
    monkeypatch.undo()

    assert response.status_code == 503  # the server's trouble, not the resident's
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.h1 is not None and page.h1.get_text(strip=True) == "Your file was not saved"
    assert "Try again, or send your report without it." in page.get_text(" ", strip=True)
    assert list(small_disk.iterdir()) == []
    with app.app_context():
        assert db.session.scalars(select(Attachment.original_name)).all() == ["first.png"]
    assert "first.png" in client.get("/report/evidence").text()
    assert client.get("/report/what").value("description") == factories.WHAT["asb"]["description"]
