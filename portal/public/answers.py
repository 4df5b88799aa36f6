"""The check-your-answers summary of a draft, in the words the resident saw."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from portal.models import Draft
from portal.public.journey import PAGES, page_for_field
from portal.public.wording import wording_for
from portal.reports.summary import Answer, Voice, summarise
from portal.text.labels import DETAIL_QUESTIONS
from portal.triage.contract import KIND_BLOCKS


@dataclass(frozen=True)
class Row:
    key: str
    lines: tuple[str, ...]
    slug: str  # the page that asks it, for its Change link


@dataclass(frozen=True)
class Section:
    title: str
    slug: str
    rows: tuple[Row, ...]


def _field(kind: str, answer: Answer) -> str:
    """The contract field ``answer`` answers, down to the question: the summary names a kind's block
    for its types and for each of its yes/no questions, which are asked on different pages."""
    block, _types, details = KIND_BLOCKS[kind]
    if answer.field != block:
        return answer.field
    asked = {DETAIL_QUESTIONS[name]: name for name in details}
    return f"{block}.{asked.get(answer.question, 'types')}"


def summary_sections(draft: Draft) -> list[Section]:
    """The answers by the page that asks them, in the order the journey asks them."""
    files = [attachment.original_name for attachment in draft.attachments]
    topics = summarise(
        draft.kind,
        draft.answers,
        area=current_app.config["COUNCIL_AREA"],
        voice=Voice.RESIDENT,
        files=files,
        description=wording_for(draft.kind).description_topic,
    )
    rows: dict[str, list[Row]] = {page.slug: [] for page in PAGES}
    for topic in topics:
        for answer in topic.answers:
            slug = page_for_field(_field(draft.kind, answer))
            rows[slug].append(Row(answer.question, answer.lines, slug))
    return [
        Section(page.title_for(draft.kind), page.slug, tuple(rows[page.slug]))
        for page in PAGES
        if rows[page.slug]
    ]
