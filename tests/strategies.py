"""Hypothesis strategies for valid reports and their histories, and for edited policy files."""

from __future__ import annotations

import json
import math
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
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

DEFAULT_POLICY_TEXT = (Path(__file__).parent.parent / "policy" / "default.toml").read_text(encoding="utf-8")

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


# --- policy files ---------------------------------------------------------------------------------

# Any number a council might type, or mistype: near each range, far beyond it, decimals and yes/no.
policy_numbers = st.one_of(
    st.integers(min_value=-3, max_value=130),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([99999999999999999999, 10**4000, -(10**20), 2**63, 2**31]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
_LEAVES = [
    {"fact": "harm.feel_unsafe", "is": True},
    {"fact": "reporter.lives_in_district", "is": False},
    {"fact": "kind", "is": "asb"},
    {"fact": "risk_level", "in": ["medium", "high"]},
]


def _number_paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where the default policy holds a number: every place a council could type one."""
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _number_paths(value, (*path, key))]
    if isinstance(data, list):
        return [p for index, value in enumerate(data) for p in _number_paths(value, (*path, index))]
    if isinstance(data, int) and not isinstance(data, bool):
        return [path]
    return []


DEFAULT_POLICY_DATA: dict[str, Any] = tomllib.loads(DEFAULT_POLICY_TEXT)
NUMBER_PATHS = _number_paths(DEFAULT_POLICY_DATA)


@st.composite
def condition_trees(draw: st.DrawFn, depth: int) -> dict[str, Any]:
    """A condition ``depth`` levels deep (1 is a plain test), with other conditions beside its path."""
    if depth <= 1:
        leaf = dict(draw(st.sampled_from(_LEAVES)))
        if draw(st.booleans()):
            leaf = {"fact": "repeat_count", "at_least": draw(policy_numbers)}
        return leaf
    kind = draw(st.sampled_from(["any", "all", "not"]))
    inner = draw(condition_trees(depth - 1))
    if kind == "not":
        return {"not": inner}
    siblings = draw(st.lists(condition_trees(draw(st.integers(1, 2))), max_size=1))
    return {kind: [inner, *siblings]}


def _toml(value: Any) -> str:
    """``value`` as a TOML inline value (tables as inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # its escapes are TOML's
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(key)} = {_toml(item)}" for key, item in value.items()) + " }"


@st.composite
def policy_texts(draw: st.DrawFn) -> str:
    """The default policy with some numbers changed to any value, and one flag's condition changed to a
    tree of any depth: sometimes too deep for the TOML reader itself."""
    data = json.loads(json.dumps(DEFAULT_POLICY_DATA))  # a deep copy
    for path in draw(st.lists(st.sampled_from(NUMBER_PATHS), max_size=4, unique=True)):
        place = data
        for step in path[:-1]:
            place = place[step]
        place[path[-1]] = draw(policy_numbers)
    tree: str | None = None
    shape = draw(st.sampled_from(["unchanged", "tree", "chain of not"]))
    if shape == "tree":
        tree = _toml(draw(condition_trees(draw(st.integers(min_value=1, max_value=14)))))
    elif shape == "chain of not":
        # Built as text: deeper than Python's stack would let anything build it as nested data.
        levels = draw(st.sampled_from([9, 10, 11, 300, 600, 2000]))
        tree = "{ not = " * levels + _toml(_LEAVES[0]) + " }" * levels
    if tree is not None:
        data["flags"][-1]["when"] = ["TREE"]
    text = "\n".join(f"{json.dumps(key)} = {_toml(value)}" for key, value in data.items())
    return text.replace('"TREE"', tree) if tree is not None else text
