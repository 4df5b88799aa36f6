"""Real pictures for upload tests, made with Pillow: the portal decodes every photo it keeps."""

from __future__ import annotations

import io

import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()

GPS_IFD = 0x8825


def picture_bytes(format: str, size: tuple[int, int] = (4, 3), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=format, **options)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A phone photo that says where it was taken, and on what camera."""
    exif = Image.Exif()
    exif[0x010F] = "Resident's Phone Co"  # make
    exif[0x0131] = "Camera app 1.0"  # software
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (53.0, 17.0, 24.0)
    gps[3] = "W"
    gps[4] = (1.0, 24.0, 36.0)
    return picture_bytes("JPEG", (64, 48), exif=exif)


def decompression_bomb() -> bytes:
    """A small file that would unpack to 200 million pixels."""
    out = io.BytesIO()
    Image.new("1", (20_000, 10_000)).save(out, format="PNG")
    return out.getvalue()


PNG = picture_bytes("PNG")
