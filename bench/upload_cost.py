"""Benchmark: what keeping one evidence file costs, in CPU seconds and peak memory.

    .venv/bin/python -m bench.upload_cost [--kinds camera_12mb.jpg,portrait.heic,...]

Each file is made once (tests/evidence_files.py, into bench/data/evidence/) and then stored in a
fresh process through ``portal.reports.evidence.add_to_draft``, the code path behind the evidence
page: written to disk, checked by content, and saved again without its metadata. The peak resident
set size is Linux's VmHWM, reset just before the file is stored (``/proc/self/clear_refs``), so it is
the most memory the process held while storing it, the app's own included. The per-file limit is
raised to 16 MB for the run, so that a 12 MB photo, which the portal refuses, is measured too.
The pictures at the pixel bound (``MAX_IMAGE_PIXELS``) are the costliest the portal accepts, in
time (a HEIC photo on its side) and in memory (a progressive CMYK JPEG on its side, an RGBA PNG on
its side); one just over the bound shows what a refusal costs. A refused file is a row too.
Prints a table, then the worst accepted picture's time and memory, and writes
bench/results/<date>-upload-cost.json.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image

from portal.reports.evidence import MAX_IMAGE_PIXELS, MAX_PDF_OBJECTS
from tests.evidence_files import MB, EvidenceFiles, camera_exif, heic_photo, many_object_pdf, photo

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data" / "evidence"
# The largest 4:3 picture the portal decodes, and one a row of pixels over the bound.
_WIDTH = int((MAX_IMAGE_PIXELS * 4 / 3) ** 0.5)
MAX_PIXELS = (_WIDTH, MAX_IMAGE_PIXELS // _WIDTH)
OVER_PIXELS = (_WIDTH, MAX_IMAGE_PIXELS // _WIDTH + 1)


def _max_pixel_jpeg() -> bytes:
    out = io.BytesIO()
    photo(MAX_PIXELS, seed=50, grain=0.05).save(out, format="JPEG", quality=75)
    return out.getvalue()


def _max_pixel_rotated_jpeg() -> bytes:
    """A portrait photo stored on its side: turning it upright needs a second copy of its pixels."""
    out = io.BytesIO()
    photo(MAX_PIXELS, seed=51, grain=0.05).save(
        out, format="JPEG", quality=75, exif=camera_exif(orientation=6)
    )
    return out.getvalue()


def _max_pixel_cmyk_jpeg() -> bytes:
    """A progressive CMYK JPEG on its side: the decoder holds every scan, and the pixels are copied
    to turn them upright and again to make them RGB."""
    out = io.BytesIO()
    photo(MAX_PIXELS, seed=53, grain=0.02).convert("CMYK").save(
        out, format="JPEG", quality=60, progressive=True, subsampling=0, exif=camera_exif(orientation=6)
    )
    return out.getvalue()


def _max_pixel_rotated_png() -> bytes:
    """A flat RGBA screenshot whose eXIf chunk says it is on its side: two copies of 4-byte pixels."""
    out = io.BytesIO()
    flat = Image.new("RGBA", MAX_PIXELS, (240, 240, 240, 255))
    flat.save(out, format="PNG", exif=camera_exif(orientation=6))
    return out.getvalue()


def _over_pixel_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", OVER_PIXELS, (240, 240, 240, 255)).save(out, format="PNG")
    return out.getvalue()


def _max_pixel_heic() -> bytes:
    return heic_photo(MAX_PIXELS, quality=50, orientation=6, seed=52)


def _max_pixel_png() -> bytes:
    """A flat RGBA screenshot at the bound: small on the wire, four bytes a pixel once unpacked."""
    out = io.BytesIO()
    Image.new("RGBA", MAX_PIXELS, (240, 240, 240, 255)).save(out, format="PNG")
    return out.getvalue()


EXTRA: dict[str, Callable[[], bytes]] = {
    # Just under the portal's bound on a PDF's objects (the page tree adds a few).
    "many_objects.pdf": lambda: many_object_pdf(MAX_PDF_OBJECTS - 20),
    "max_pixels.jpg": _max_pixel_jpeg,
    "max_pixels_rotated.jpg": _max_pixel_rotated_jpeg,
    "max_pixels.heic": _max_pixel_heic,
    "max_pixels.png": _max_pixel_png,
    "max_pixels_cmyk_progressive_rotated.jpg": _max_pixel_cmyk_jpeg,
    "max_pixels_rotated.png": _max_pixel_rotated_png,
    "over_max_pixels.png": _over_pixel_png,
}
DEFAULT_KINDS = [
    "camera_12mb.jpg",
    "camera_exact_limit.jpg",
    "portrait.heic",
    "screenshot.png",
    "letter.pdf",
    "statement.pdf",
    "max_pixels.jpg",
    "max_pixels_rotated.jpg",
    "max_pixels.heic",
    "max_pixels.png",
    "max_pixels_cmyk_progressive_rotated.jpg",
    "max_pixels_rotated.png",
    "over_max_pixels.png",
    "many_objects.pdf",
]
PICTURE_BOUND_KINDS = [kind for kind in DEFAULT_KINDS if kind.startswith("max_pixels")]


def make_file(kind: str) -> Path:
    files = EvidenceFiles(DATA)
    if kind in EXTRA:
        # Named by the bound, so that a file made for an earlier bound is not measured again.
        path = DATA / f"{MAX_IMAGE_PIXELS}-{kind}" if "pixels" in kind else DATA / kind
        if not path.exists():
            path.write_bytes(EXTRA[kind]())
        return path
    return files.path(kind)


def _resident_mb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024)
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure_one(path: Path) -> dict[str, Any]:
    """Store ``path`` once in this process; its CPU seconds and the peak memory before and after."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.config import load_config
    from portal.extensions import db
    from portal.models import Draft
    from portal.reports import drafts, evidence

    with tempfile.TemporaryDirectory() as folder:
        settings = {
            "PORTAL_ENV": "testing",
            "UPLOAD_FOLDER": str(Path(folder) / "uploads"),
            "UPLOAD_MAX_BYTES": str(16 * MB),
        }
        app = create_app(load_config(settings, Path(folder)))
        with app.app_context():
            upgrade()
            state = drafts.start_draft("asb")
            draft = db.session.get(Draft, state.id)
            assert draft is not None
            rss_before = _resident_mb("VmRSS")
            Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
            refused = None
            with path.open("rb") as stream:
                cpu, wall = time.process_time(), time.perf_counter()
                try:
                    attachment = evidence.add_to_draft(draft, stream, path.name)
                except evidence.EvidenceError as error:
                    refused = str(error)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            peak = _resident_mb("VmHWM")
            return {
                "file": path.name,
                "bytes_in": path.stat().st_size,
                "bytes_kept": 0 if refused else attachment.size_bytes,
                "content_type": None if refused else attachment.content_type,
                "refused": refused,
                "cpu_seconds": round(cpu, 2),
                "wall_seconds": round(wall, 2),
                "rss_mb_before": rss_before,
                "peak_rss_mb": peak,
                "peak_rss_growth_mb": peak - rss_before,
            }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS), help="comma-separated file kinds")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the child process's file
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return

    DATA.mkdir(parents=True, exist_ok=True)
    rows = []
    for kind in args.kinds.split(","):
        path = make_file(kind)
        child = subprocess.run(  # noqa: S603  (this module, with a file it made)
            [sys.executable, "-m", "bench.upload_cost", "--one", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            raise SystemExit(f"{kind}: {child.stderr.strip().splitlines()[-1]}")
        rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
        row = rows[-1]
        kept = "refused" if row["refused"] else f"{row['bytes_kept'] / MB:5.1f} MB"
        print(
            f"{row['file']:48} {row['bytes_in'] / MB:6.1f} MB -> {kept:8}  "
            f"CPU {row['cpu_seconds']:5.2f} s  wall {row['wall_seconds']:5.2f} s  "
            f"peak RSS {row['peak_rss_mb']:4} MB (+{row['peak_rss_growth_mb']} MB over the app's "
            f"{row['rss_mb_before']} MB)",
            flush=True,
        )
    at_bound = [
        row for row in rows if not row["refused"] and row["file"].split("-", 1)[-1] in PICTURE_BOUND_KINDS
    ]
    if at_bound:
        slowest = max(at_bound, key=lambda row: row["cpu_seconds"])
        largest = max(at_bound, key=lambda row: row["peak_rss_growth_mb"])
        print(
            f"worst accepted picture ({MAX_IMAGE_PIXELS:,} pixels at most): "
            f"{slowest['cpu_seconds']:.2f} CPU s ({slowest['file']}), "
            f"+{largest['peak_rss_growth_mb']} MB peak RSS ({largest['file']})"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{date.today().isoformat()}-upload-cost.json"
    out.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
