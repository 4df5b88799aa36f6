"""A report's answers as questions and answers in words: the one summary both rooms show.

The resident's check-your-answers page and the officer's case page both read a report in the
report contract's shape (``docs/policy.md``): a draft's answers are kept in it, and a stored report
gives it back with ``Report.as_contract()``. A draft can be read before every answer passes the
contract, so a missing answer reads "Not given" rather than failing.

The two rooms ask the same questions; only a few are put to the resident as "you" and to an
officer as "them".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from portal.text.labels import (
    DESCRIPTION_TOPICS,
    DETAIL_QUESTIONS,
    FREQUENCY_LABELS,
    HARM_LABELS,
    PREVIOUS_REPORTS_LABELS,
    STARTED_LABELS,
    TYPE_LABELS,
    yes_no,
)
from portal.triage.contract import KIND_BLOCKS, asked_details


class Voice(Enum):
    RESIDENT = "resident"  # the resident reading back their own answers
    OFFICER = "officer"  # an officer reading the resident's answers


# The questions put differently to the resident and to an officer.
VOICED = {
    Voice.RESIDENT: {
        "harm": "How it is affecting you",
        "safe_to_email": "Safe to email you",
        "safe_to_phone": "Safe to phone you",
        "lives_in_district": "Live in {area}",
        "safe_call_times": "Safe times to phone you",
        "text_ok": "Safe to text you",
        "safe_alternative_contact": "Another safe way to contact you",
    },
    Voice.OFFICER: {
        "harm": "How it is affecting them",
        "safe_to_email": "Safe to email them",
        "safe_to_phone": "Safe to phone them",
        "lives_in_district": "Lives in {area}",
        "safe_call_times": "Safe times to phone them",
        "text_ok": "Safe to text them",
        "safe_alternative_contact": "Another safe way to contact them",
    },
}


@dataclass(frozen=True)
class Answer:
    question: str
    lines: tuple[str, ...]
    field: str  # the contract field answered, which says where the question is asked


@dataclass(frozen=True)
class Topic:
    key: str  # "what", "where", "impact", "evidence" or "about-you", in the order the journey asks
    answers: tuple[Answer, ...]


def _answer(question: str, value: str | Sequence[str], field: str, empty: str = "Not given") -> Answer:
    lines = value.splitlines() if isinstance(value, str) else list(value)
    return Answer(question, tuple(lines) or (empty,), field)


def summarise(
    kind: str,
    report: Mapping[str, Any],
    *,
    area: str,
    voice: Voice,
    files: Sequence[str] | None = None,
) -> list[Topic]:
    """The answers of ``report`` (contract-shaped) by topic; ``files`` adds the evidence topic.

    The description is named as the resident was asked for it ("What has happened" for a safety
    concern), in both rooms."""
    said = VOICED[voice]
    block = KIND_BLOCKS[kind][0]
    details = report.get(block, {})
    type_labels = TYPE_LABELS[kind]
    asked = asked_details(kind, details)

    what = [
        _answer("What it is", [type_labels.get(t, t) for t in details.get("types", [])], f"{block}.types"),
        _answer(DESCRIPTION_TOPICS[kind], report.get("description", ""), "description"),
        # A follow-up the answers before it made unnecessary was not asked: it is left out, not "No".
        # A report from before follow-ups were asked may hold a "Yes" to one anyway: that is shown.
        *(
            _answer(DETAIL_QUESTIONS[name], yes_no(bool(details[name])), f"{block}.{name}")
            for name in KIND_BLOCKS[kind][2]
            if name in details and (name in asked or details[name] is True)
        ),
    ]

    location = report.get("location", {})
    where = [
        _answer("Where", location.get("address", ""), "location"),
        _answer("Postcode", location.get("postcode", ""), "location"),
        _answer("Ward", location.get("ward", ""), "location", empty="Not known"),
        _answer("When it started", STARTED_LABELS.get(report.get("started", ""), ""), "started"),
        _answer("How often", FREQUENCY_LABELS.get(report.get("frequency", ""), ""), "frequency"),
        _answer(
            "Reported in the last 6 months",
            PREVIOUS_REPORTS_LABELS.get(report.get("previous_reports", ""), ""),
            "previous_reports",
        ),
    ]

    chosen = [HARM_LABELS[q] for q, value in report.get("harm", {}).items() if value]
    impact = [_answer(said["harm"], chosen, "harm", empty="None of these")]

    reporter = report.get("reporter", {})

    def reporter_said(question: str, key: str) -> Answer:
        return _answer(question, yes_no(bool(reporter.get(key))), "reporter")

    def reporter_wrote(question: str, key: str) -> Answer:
        return _answer(question, reporter.get(key, ""), "reporter")

    about: list[Answer] = []
    if kind != "safety_concern":  # a safety concern cannot be anonymous
        about.append(reporter_said("Stay anonymous", "anonymous"))
    if not reporter.get("anonymous"):
        about += [
            reporter_wrote("Full name", "name"),
            reporter_wrote("Email address", "email"),
        ]
        if reporter.get("email"):
            about.append(reporter_said(said["safe_to_email"], "safe_to_email"))
        about.append(reporter_wrote("Phone number", "phone"))
        if reporter.get("phone"):
            about.append(reporter_said(said["safe_to_phone"], "safe_to_phone"))
            if reporter.get("safe_to_phone"):
                about.append(reporter_wrote(said["safe_call_times"], "safe_call_times"))
        # Asked only where they apply: None is a question the resident was not asked.
        if reporter.get("voicemail_ok") is not None:
            about.append(reporter_said("Leave a voicemail", "voicemail_ok"))
        if reporter.get("text_ok") is not None:
            about.append(reporter_said(said["text_ok"], "text_ok"))
        about.append(reporter_wrote(said["safe_alternative_contact"], "safe_alternative_contact"))
    about.append(reporter_said(said["lives_in_district"].format(area=area), "lives_in_district"))

    topics = [("what", what), ("where", where), ("impact", impact)]
    if files is not None:
        topics.append(("evidence", [_answer("Files", files, "evidence", empty="None")]))
    topics.append(("about-you", about))
    return [Topic(key, tuple(answers)) for key, answers in topics]
