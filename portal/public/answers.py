"""The check-your-answers summary of a draft, in the words the resident saw."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from portal.models import Draft
from portal.public.journey import PAGES, page_for_field
from portal.reports.summary import Voice, summarise


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


def summary_sections(draft: Draft) -> list[Section]:
    """The answers by the page that asks them, in the order the journey asks them."""
    files = [attachment.original_name for attachment in draft.attachments]
    topics = summarise(
        draft.kind,
        draft.answers,
        area=current_app.config["COUNCIL_AREA"],
        voice=Voice.RESIDENT,
        files=files,
    )
    rows: dict[str, list[Row]] = {page.slug: [] for page in PAGES}
    for topic in topics:
        for answer in topic.answers:
            slug = page_for_field(answer.field)
            rows[slug].append(Row(answer.question, answer.lines, slug))
    return [
        Section(page.title_for(draft.kind), page.slug, tuple(rows[page.slug]))
        for page in PAGES
        if rows[page.slug]
    ]
