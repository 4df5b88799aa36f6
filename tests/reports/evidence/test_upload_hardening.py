"""Evidence uploads: only real photos and PDFs are kept, and photos keep nothing but their pixels."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from portal.reports.evidence import MAX_IMAGE_PIXELS
from tests.evidence_files import (
    GPS_IFD,
    PLANTED,
    decompression_bomb,
    jpeg_markers,
    jpeg_with_comment,
    jpeg_with_gps,
    picture_bytes,
    png_header_only,
    small_pdf,
)
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


def test_a_photo_s_comment_saying_where_it_was_taken_is_removed(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    original = jpeg_with_comment()
    assert PLANTED.address.encode() in original and 0xFE in jpeg_markers(original)

    assert not upload(client, original, "IMG_2050.JPG").errors

    [(_attachment, path)] = kept(app)
    stored = path.read_bytes()
    assert PLANTED.address.encode() not in stored
    assert 0xFE not in jpeg_markers(stored)
    with Image.open(path) as picture:
        picture.load()
        assert picture.size == (1632, 1224) and "comment" not in picture.info


TOO_MANY_PIXELS = (
    "{name} must be 16 megapixels or smaller: take the photo at your camera's usual size, "
    "or upload a smaller copy"
)
# A phone's 12-megapixel photos, landscape, portrait and 16:9, and a 16-megapixel camera's.
PHONE_PHOTOS = [(4032, 3024), (3024, 4032), (4032, 2268), (4000, 3000), (1170, 2532), (4608, 3456)]


@pytest.mark.parametrize("size", PHONE_PHOTOS, ids=lambda size: f"{size[0]}x{size[1]}")
def test_a_phone_camera_s_full_size_photo_is_accepted(
    app: Flask, client: PageClient, size: tuple[int, int]
) -> None:
    fill_until(client, "asb", stop_before="evidence")
    assert not upload(client, picture_bytes("JPEG", size), "IMG_2051.JPG").errors
    [(_attachment, path)] = kept(app)
    with Image.open(path) as picture:
        assert picture.size == size


def test_a_picture_just_over_16_megapixels_is_refused_with_what_to_do(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    over = picture_bytes("PNG", (4000, MAX_IMAGE_PIXELS // 4000 + 1))
    assert len(over) < 200 * 1024, "small on the wire"
    page = upload(client, over, "Screenshot.png")
    assert page.errors == [TOO_MANY_PIXELS.format(name="Screenshot.png")]
    assert kept(app) == []
    assert "up to 16 megapixels, the size a phone camera takes" in page.text(), "the hint says so first"


def test_a_picture_over_16_megapixels_is_refused_by_its_header_before_it_is_unpacked(
    app: Flask, client: PageClient
) -> None:
    """Its picture data is cut short: unpacking it would fail as damaged. The header decides first."""
    fill_until(client, "asb", stop_before="evidence")
    assert upload(client, png_header_only((4000, 3000)), "small.png").errors == [
        "small.png could not be read as a photo: it may be damaged"
    ]
    page = upload(client, png_header_only((5000, 4000)), "big.png")
    assert page.errors == [TOO_MANY_PIXELS.format(name="big.png")]
    assert kept(app) == []


def test_a_heic_photo_over_16_megapixels_is_refused(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    over = picture_bytes("HEIF", (4000, MAX_IMAGE_PIXELS // 4000 + 64), enc_params={"preset": "ultrafast"})
    page = upload(client, over, "IMG_2052.HEIC")
    assert page.errors == [TOO_MANY_PIXELS.format(name="IMG_2052.HEIC")]
    assert kept(app) == []


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
    assert page.errors == [TOO_MANY_PIXELS.format(name="bomb.png")]
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
