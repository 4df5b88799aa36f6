"""Reports for the triage tests: a valid contract mapping worth no points, and one way to decide it.

``report()`` is an ASB report submitted on Tuesday 2026-12-01 at 10:00 that scores nothing: it
started today, happened once, was never reported before, and every harm answer is no. Each keyword
changes one part of it:

- ``harm=["feel_unsafe", "targeted"]`` answers yes to those questions (a mapping sets them as given);
- ``kind="safety_concern"`` gives the report that kind's block with a valid type, and ``asb=``,
  ``dispute=`` or ``concern=`` change the answers in the kind's own block;
- ``reporter={...}`` and ``location={...}`` change those answers, keeping the rest;
- anything else (``submitted_at``, ``frequency``, ``started``, ``description``...) replaces the answer.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from portal.config import PROJECT_ROOT
from portal.triage.contract import HARM_QUESTIONS, parse_report
from portal.triage.decision import Decision
from portal.triage.engine import decide
from portal.triage.history import Earlier
from portal.triage.policy import Policy, load_policy

POLICY: Policy = load_policy(PROJECT_ROOT / "policy" / "default.toml")
# The version the council gave its latest revision of the default policy (the 2026-12 revision).
DEFAULT_POLICY_VERSION = "2026-12-04c"
# The policy's worked examples (docs/policy.md section 8), in submission order, each with its decision.
WORKED_EXAMPLES_FILE = PROJECT_ROOT / "policy" / "examples.json"

# Tuesday 1 December 2026, 10:00 in London (GMT).
TUESDAY = "2026-12-01T10:00:00+00:00"

# Each kind's block: its key in the report and answers that make no route or flag of their own.
BLOCKS: dict[str, tuple[str, dict[str, Any]]] = {
    "asb": (
        "asb",
        {
            "types": ["noise"],
            "perpetrators_known": False,
            "perpetrator_is_neighbour": False,
            "willing_to_mediate": False,
        },
    ),
    "neighbour_dispute": (
        "dispute",
        {
            "types": ["noise"],
            "spoken_to_neighbour": False,
            "willing_to_mediate": False,
            "neighbour_address_known": False,
            "legal_action_underway": False,
        },
    ),
    "safety_concern": ("concern", {"types": ["fear_of_crime"], "perpetrator_lives_at_address": False}),
}

REPORTER: dict[str, Any] = {
    "name": "Sam Resident",
    "email": "sam@example.org",
    "phone": "",
    "anonymous": False,
    "safe_to_email": True,
    "safe_to_phone": True,
    "lives_in_district": True,
}

# Change the reporter with this to make a report anonymous.
ANONYMOUS: dict[str, Any] = {"name": "", "email": "", "phone": "", "anonymous": True}


def report(**changes: Any) -> dict[str, Any]:
    """A valid report contract mapping worth no points, with ``changes`` applied (see the module)."""
    kind = changes.pop("kind", "asb")
    block_name, block = BLOCKS[kind]
    for other_name, _block in BLOCKS.values():
        if other_name != block_name and other_name in changes:
            raise TypeError(f"a {kind} report has no {other_name} block")

    harm = changes.pop("harm", ())
    answers = dict.fromkeys(HARM_QUESTIONS, False)
    if isinstance(harm, Mapping):
        answers.update(harm)
    else:
        for question in harm:
            if question not in answers:
                raise TypeError(f"{question} is not a harm question")
            answers[question] = True

    mapping: dict[str, Any] = {
        "kind": kind,
        "submitted_at": TUESDAY,
        "description": "Loud music from the flat above until 2am.",
        "location": {"address": "1 Station Road, Dronfield", "postcode": "S18 1AB"},
        "reporter": {**REPORTER, **changes.pop("reporter", {})},
        "started": "today",
        "frequency": "once",
        "previous_reports": "none",
        "harm": answers,
        block_name: {**copy.deepcopy(block), **changes.pop(block_name, {})},
    }
    mapping["location"].update(changes.pop("location", {}))
    mapping.update(changes)
    return mapping


def decide_report(mapping: Mapping[str, Any], earlier: Iterable[Mapping[str, Any]] = ()) -> Decision:
    """Parse ``mapping`` and decide it under the default policy, with ``earlier`` reports as history."""
    history = [Earlier.of(parse_report(item)) for item in earlier]
    return decide(parse_report(mapping), history, POLICY)
