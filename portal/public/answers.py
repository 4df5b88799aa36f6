"""The check-your-answers summary of a draft, in the words the resident saw."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from portal.models import Draft
from portal.public.journey import PAGES_BY_SLUG, page_for_field
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
    files = [attachment.original_name for attachment in draft.attachments]
    topics = summarise(
        draft.kind,
        draft.answers,
        area=current_app.config["COUNCIL_AREA"],
        voice=Voice.RESIDENT,
        files=files,
    )
    return [
        Section(
            PAGES_BY_SLUG[topic.key].title,
            topic.key,
            tuple(
                Row(answer.question, answer.lines, page_for_field(answer.field)) for answer in topic.answers
            ),
        )
        for topic in topics
    ]
