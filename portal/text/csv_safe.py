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
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain

from flask import Response, stream_with_context

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


def csv_lines(rows: Iterable[Sequence[object]], header: Sequence[str], batch: int = 500) -> Iterator[str]:
    """The header and rows as CSV text (RFC 4180 line endings), every cell made safe, in pieces.

    Rows are read as the pieces are written, so a download of tens of thousands of cases never
    holds them all in memory at once.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for number, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(value) for value in row])
        if number % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(rows: Iterable[Sequence[object]], header: Sequence[str]) -> str:
    """The header and rows as one CSV text."""
    return "".join(csv_lines(rows, header))


def csv_response(rows: Iterable[Sequence[object]], header: Sequence[str], filename: str) -> Response:
    """A CSV download, written as it is sent: never cached, never sniffed, always saved as a file."""
    pieces = chain([BYTE_ORDER_MARK], csv_lines(rows, header))
    response = Response(stream_with_context(pieces), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
