"""Hypothesis strategies for valid reports and their histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from portal.triage.contract import (
    FREQUENCY,
    HARM_QUESTIONS,
    KIND_BLOCKS,
    KINDS,
    PREVIOUS_REPORTS,
    STARTED,
)
from portal.triage.history import Earlier

EMAILS = ["a@example.org", "b@example.org", "c@example.org", ""]
PHONES = ["07700900001", "07700900002", ""]
POSTCODES = ["S18 1AB", "S42 6NG", "S21 4DJ"]
DESCRIPTIONS = ["Noise every night", "He said he would bring a knife", "Bins left out", "I feel suicidal"]

moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@st.composite
def reports(draw: st.DrawFn, kind: str | None = None) -> dict[str, Any]:
    """Any valid contract mapping."""
    kind = kind or draw(st.sampled_from(KINDS))
    block, types, answers = KIND_BLOCKS[kind]
    anonymous = kind != "safety_concern" and draw(st.booleans())
    email = draw(st.sampled_from(EMAILS[:-1] if not anonymous else EMAILS))
    phone = draw(st.sampled_from(PHONES))
    if not anonymous and not email and not phone:
        email = EMAILS[0]
    return {
        "kind": kind,
        "submitted_at": draw(moments).isoformat(),
        "description": draw(st.sampled_from(DESCRIPTIONS)),
        "location": {"address": "1 Station Road", "postcode": draw(st.sampled_from(POSTCODES))},
        "reporter": {
            "name": "" if anonymous else "Resident",
            "email": email,
            "phone": phone,
            "anonymous": anonymous,
            "safe_to_email": draw(st.booleans()),
            "safe_to_phone": draw(st.booleans()),
            "lives_in_district": draw(st.booleans()),
        },
        "started": draw(st.sampled_from(STARTED)),
        "frequency": draw(st.sampled_from(FREQUENCY)),
        "previous_reports": draw(st.sampled_from(PREVIOUS_REPORTS)),
        "harm": {question: draw(st.booleans()) for question in HARM_QUESTIONS},
        block: {
            "types": draw(st.lists(st.sampled_from(types), min_size=1, max_size=3, unique=True)),
            **{answer: draw(st.booleans()) for answer in answers},
        },
    }


@st.composite
def histories(draw: st.DrawFn, around: datetime) -> list[Earlier]:
    """Earlier reports near ``around``, sharing emails, phones and postcodes with the report."""
    count = draw(st.integers(min_value=0, max_value=8))
    return [
        Earlier(
            kind=draw(st.sampled_from(KINDS)),
            submitted_at=around - timedelta(days=draw(st.integers(min_value=0, max_value=250))),
            email_key=draw(st.sampled_from(EMAILS)),
            phone_key=draw(st.sampled_from(PHONES)),
            postcode=draw(st.sampled_from(POSTCODES)),
        )
        for _ in range(count)
    ]
