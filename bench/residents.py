"""Who the bench's residents are and what they answer: the test suite's answers, page by page.

Each bench resident has their own name, email, phone and postcode, so that history matching sees
many different people and places, as a district's reports do.
"""

from __future__ import annotations

import re
from typing import Any

from tests.factories import DETAILS, IMPACT, WHAT, WHEN, WHERE, about_for

KINDS = ("asb", "neighbour_dispute", "safety_concern")
# Every form's CSRF token, as the page carries it: a browser sends it back with the form.
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def postcode(number: int) -> str:
    """A different place for each resident, over thousands of postcodes."""
    return f"S{18 + number % 28} {number % 9 + 1}{chr(65 + number % 26)}{chr(65 + number // 26 % 26)}"


def about(kind: str, number: int) -> dict[str, str]:
    return about_for(
        kind,
        name=f"Bench Resident {number}",
        email=f"bench.resident.{number}@example.org",
        phone=f"07700 9{number % 100000:05d}",
    )


def kind_of(number: int) -> str:
    return KINDS[number % len(KINDS)]


def question_pages(number: int) -> list[tuple[str, dict[str, Any]]]:
    """Resident ``number``'s answers to each question page, in the order the journey asks them."""
    kind = kind_of(number)
    return [
        ("what", WHAT[kind]),
        ("details", DETAILS[kind]),
        ("where", {**WHERE, "postcode": postcode(number)}),
        ("when", WHEN),
        ("impact", IMPACT),
        ("evidence", {"continue": "continue"}),
        ("about-you", about(kind, number)),
    ]
