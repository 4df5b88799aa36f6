"""Row ids in page links, read as the databases can compare them."""

from __future__ import annotations

import re

# A row id as the databases store it (a 32-bit integer): a longer number, or a digit that is not
# 0-9 ("²" passes str.isdigit), would fail in the query, not just match nothing.
ROW_ID = re.compile(r"[0-9]{1,9}")


def row_id(text: str) -> int | None:
    """The row id ``text`` names, or None when it names none a database could hold."""
    return int(text) if ROW_ID.fullmatch(text) else None
