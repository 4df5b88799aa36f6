"""The check-your-answers summary of a draft, in the words the resident saw."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from portal.models import Draft
from portal.public.journey import PAGES_BY_SLUG
from portal.public.wording import wording_for
from portal.text.labels import (
    DETAIL_QUESTIONS,
    FREQUENCY_LABELS,
    HARM_LABELS,
    PREVIOUS_REPORTS_LABELS,
    STARTED_LABELS,
    TYPE_LABELS,
    yes_no,
)
from portal.triage.contract import KIND_BLOCKS


@dataclass(frozen=True)
class Row:
    key: str
    lines: tuple[str, ...]
    slug: str


@dataclass(frozen=True)
class Section:
    title: str
    slug: str
    rows: tuple[Row, ...]


def _row(key: str, value: str | list[str], slug: str) -> Row:
    lines = value if isinstance(value, list) else value.splitlines() or [""]
    return Row(key=key, lines=tuple(lines) or ("Not given",), slug=slug)


def summary_sections(draft: Draft) -> list[Section]:
    answers = draft.answers
    block, _types, detail_names = KIND_BLOCKS[draft.kind]
    details = answers.get(block, {})
    type_labels = TYPE_LABELS[draft.kind]

    what = [
        _row("What it is", [type_labels[t] for t in details.get("types", [])], "what"),
        _row(wording_for(draft.kind).description_topic, answers.get("description", ""), "what"),
        *(_row(DETAIL_QUESTIONS[name], yes_no(bool(details.get(name))), "what") for name in detail_names),
    ]

    location = answers.get("location", {})
    where = [
        _row("Where", location.get("address") or "Not given", "where"),
        _row("Postcode", location.get("postcode") or "Not given", "where"),
        _row("Ward", location.get("ward") or "Not known", "where"),
        _row("When it started", STARTED_LABELS.get(answers.get("started", ""), ""), "where"),
        _row("How often", FREQUENCY_LABELS.get(answers.get("frequency", ""), ""), "where"),
        _row(
            "Reported in the last 6 months",
            PREVIOUS_REPORTS_LABELS.get(answers.get("previous_reports", ""), ""),
            "where",
        ),
    ]

    harm = answers.get("harm", {})
    chosen = [HARM_LABELS[q] for q, value in harm.items() if value]
    impact = [_row("How it is affecting you", chosen or ["None of these"], "impact")]

    files = [attachment.original_name for attachment in draft.attachments]
    evidence = [_row("Files", files or ["None"], "evidence")]

    reporter = answers.get("reporter", {})
    area = current_app.config["COUNCIL_AREA"]
    about: list[Row] = []
    if draft.kind != "safety_concern":
        about.append(_row("Stay anonymous", yes_no(bool(reporter.get("anonymous"))), "about-you"))
    if not reporter.get("anonymous"):
        about += [
            _row("Full name", reporter.get("name") or "Not given", "about-you"),
            _row("Email address", reporter.get("email") or "Not given", "about-you"),
        ]
        if reporter.get("email"):
            about.append(_row("Safe to email you", yes_no(bool(reporter.get("safe_to_email"))), "about-you"))
        about.append(_row("Phone number", reporter.get("phone") or "Not given", "about-you"))
        if reporter.get("phone"):
            about.append(_row("Safe to phone you", yes_no(bool(reporter.get("safe_to_phone"))), "about-you"))
    about.append(_row(f"Live in {area}", yes_no(bool(reporter.get("lives_in_district"))), "about-you"))

    return [
        Section(PAGES_BY_SLUG[slug].title, slug, tuple(rows))
        for slug, rows in (
            ("what", what),
            ("where", where),
            ("impact", impact),
            ("evidence", evidence),
            ("about-you", about),
        )
    ]
