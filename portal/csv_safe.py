"""The one way the portal writes CSV: every cell made safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be run as a
formula by Excel, LibreOffice or Google Sheets (CSV or "formula" injection). Such a cell is written
with a single quote in front, as OWASP advises, so the spreadsheet shows it as text. Numbers are
written as numbers: a negative number is not a formula. The csv module quotes any cell holding a
comma, a quote or a line break, so no answer can break a row or start a new one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from flask import Response

DANGEROUS_FIRST_CHARACTERS = ("=", "+", "-", "@", "\t", "\r")

# Excel reads a CSV file as UTF-8 (names such as "Zoë" intact) only when it starts with a byte order mark.
BYTE_ORDER_MARK = "\ufeff"


def safe_cell(value: object) -> str | int | float:
    """One cell as it is written: text escaped, numbers and dates as they are, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(DANGEROUS_FIRST_CHARACTERS):
        return "'" + text
    return text


def write_csv(rows: Iterable[Sequence[object]], header: Sequence[str]) -> str:
    """The header and rows as CSV text (RFC 4180 line endings), every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def csv_response(text: str, filename: str) -> Response:
    """A CSV download: never cached, never sniffed as something else, always saved as a file."""
    response = Response(BYTE_ORDER_MARK + text, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
