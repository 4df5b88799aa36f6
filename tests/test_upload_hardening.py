"""Evidence uploads: only real photos and PDFs are kept, and photos keep nothing but their pixels."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from PIL import Image

from tests.evidence_files import GPS_IFD, decompression_bomb, jpeg_with_gps, picture_bytes, small_pdf
from tests.helpers import Page, PageClient
from tests.journey import fill_until, kept
from tests.journey import upload as upload_files


def upload(client: PageClient, data: bytes, filename: str) -> Page:
    return upload_files(client, (data, filename))


def files_in(app: Flask) -> set[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return set(folder.iterdir()) if folder.exists() else set()


def test_a_photo_s_gps_position_and_camera_details_are_removed(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD), "the test photo does carry GPS"

    page = upload(client, original, "garden.jpg")

    assert not page.errors
    [(attachment, path)] = kept(app)
    with Image.open(path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (64, 48)
        assert len(stored.getexif()) == 0
        assert "exif" not in stored.info
    assert b"Resident's Phone Co" not in path.read_bytes()
    assert attachment.size_bytes == path.stat().st_size


def test_a_heic_photo_is_kept_as_a_jpeg_without_metadata(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    page = upload(client, picture_bytes("HEIF", (32, 24)), "IMG_0001.HEIC")
    assert not page.errors
    [(attachment, path)] = kept(app)
    assert (attachment.content_type, attachment.original_name) == ("image/jpeg", "IMG_0001.jpg")
    with Image.open(path) as stored:
        assert stored.format == "JPEG" and stored.size == (32, 24)


def test_a_decompression_bomb_is_refused_before_it_is_unpacked(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    bomb = decompression_bomb()
    assert len(bomb) < 1024 * 1024, "small on the wire"
    before = files_in(app)
    page = upload(client, bomb, "bomb.png")
    assert page.errors == ["bomb.png is too large a picture: take a smaller photo"]
    assert kept(app) == []
    assert files_in(app) == before


def test_a_damaged_photo_is_refused(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    broken = picture_bytes("PNG")[:40]
    page = upload(client, broken, "broken.png")
    assert page.errors == ["broken.png could not be read as a photo: it may be damaged"]
    assert kept(app) == []


def test_a_pdf_named_like_a_photo_is_kept_as_a_pdf(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    page = upload(client, small_pdf(), "photo.jpg")
    assert not page.errors
    [(attachment, _path)] = kept(app)
    assert attachment.content_type == "application/pdf"


def test_a_50_mb_file_is_refused_and_nothing_of_it_is_kept(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    before = files_in(app)
    page = upload(client, b"%PDF-1.4\n" + b"\x00" * (50 * 1024 * 1024), "huge.pdf")
    assert page.errors == ["huge.pdf must be smaller than 10 MB"]
    assert kept(app) == []
    assert files_in(app) == before, "the part written so far is removed"
