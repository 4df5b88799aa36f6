"""Answers a resident would type, page by page, for each kind of report."""

from __future__ import annotations

from typing import Any

WHAT = {
    "asb": {
        "types": ["noise", "rowdy_behaviour"],
        "description": "Groups gather outside the shop every night,\nshouting and playing music until 1am.",
    },
    "neighbour_dispute": {
        "types": ["boundary", "parking"],
        "description": "My neighbour parks across my drive every morning.",
    },
    "safety_concern": {
        "types": ["burglary_victim"],
        "description": "Our house was broken into last week and the back door lock is still damaged.",
    },
}

# The kind's own yes/no questions, asked on the page after "What is happening?".
DETAILS = {
    # Not knowing who is responsible, the resident is not asked whether it is a neighbour, or
    # about mediation.
    "asb": {"perpetrators_known": "no"},
    "neighbour_dispute": {
        "spoken_to_neighbour": "yes",
        "willing_to_mediate": "yes",
        "neighbour_address_known": "yes",
        "legal_action_underway": "no",
    },
    "safety_concern": {"perpetrator_lives_at_address": "no"},
}

WHERE = {
    "address": "14 Station Road, Dronfield",
    "postcode": "s181ab",
    "ward": "Dronfield North",
}

WHEN = {
    "started": "this_month",
    "frequency": "weekly",
    "previous_reports": "none",
}

IMPACT = {"harm": ["feel_unsafe", "daily_life_affected"]}


def about(**changes: Any) -> dict[str, Any]:
    answers = {
        "anonymous": "no",
        "name": "Sam Resident",
        "email": "sam.resident@example.org",
        "safe_to_email": "yes",
        "phone": "07700 900982",
        "safe_to_phone": "yes",
        "voicemail_ok": "yes",
        "text_ok": "yes",
        "lives_in_district": "yes",
    }
    answers.update(changes)
    return {key: value for key, value in answers.items() if value is not None}


def about_for(kind: str, **changes: Any) -> dict[str, Any]:
    answers = about(**changes)
    if kind == "safety_concern":
        answers.pop("anonymous", None)
    return answers
