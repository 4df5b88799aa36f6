"""A photo upload is never refused as too large by how the request's bytes happen to arrive."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser

from portal.config import load_config

BOUNDARY = b"----WebKitFormBoundaryQ5gg66Y6jX6t35pd"


def _photo() -> bytes:
    size = (1600, 1200)  # a phone photo's worth of bytes, about 370 KB
    light = Image.linear_gradient("L").resize(size)
    out = io.BytesIO()
    Image.merge("RGB", (light, light.rotate(90).resize(size), Image.effect_noise(size, 40))).save(out, "JPEG")
    return out.getvalue()


PHOTO = _photo()


def _upload(token: str) -> bytes:
    """The evidence page's post as Chromium sends it: the CSRF token, the photo, the button."""
    part = b"--" + BOUNDARY + b"\r\nContent-Disposition: form-data; "
    return (
        part + b'name="csrf_token"\r\n\r\n' + token.encode() + b"\r\n"
        + part + b'name="files"; filename="broken-back-door.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        + PHOTO + b"\r\n"
        + part + b'name="upload"\r\n\r\nupload\r\n--' + BOUNDARY + b"--\r\n"
    )  # fmt: skip


def test_a_photo_upload_is_accepted_wherever_the_read_chunks_fall(tmp_path: Path) -> None:
    # The token's length moves the photo's bytes against the parser's 64 KB reads, as the
    # browser's boundary and the proxy's buffering do. At the old 64 KB limit most offsets were refused.
    limit = load_config({}, tmp_path)["MAX_FORM_MEMORY_SIZE"]
    refused = []
    for offset in range(200):
        body = _upload("t" * (40 + offset))
        try:
            form, files = MultiPartParser(max_form_memory_size=limit).parse(
                io.BytesIO(body), BOUNDARY, len(body)
            )
        except RequestEntityTooLarge:
            refused.append(offset)
            continue
        assert files["files"].read() == PHOTO
        assert form["upload"] == "upload"
    assert not refused, f"refused as too large at {len(refused)} of 200 offsets"
