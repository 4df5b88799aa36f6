"""The order of the question pages, and what each page asks, for every kind of report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import current_app

from portal.public.forms import ImpactForm, JourneyForm, about_form, what_form, where_form


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    form: Callable[[str], type[JourneyForm]] | None  # None: the evidence page, which has no answers

    def form_for(self, kind: str) -> type[JourneyForm]:
        assert self.form is not None
        return self.form(kind)


def _about(kind: str) -> type[JourneyForm]:
    return about_form(kind, current_app.config["COUNCIL_AREA"])


PAGES = (
    Page("what", "What is happening?", what_form),
    Page("where", "Where and when is it happening?", where_form),
    Page("impact", "How is it affecting you?", lambda kind: ImpactForm),
    Page("evidence", "Add photos or documents (optional)", None),
    Page("about-you", "About you and how we can contact you", _about),
)
PAGES_BY_SLUG = {page.slug: page for page in PAGES}

# Where the answer named by a contract field is asked, for sending a resident back to it.
FIELD_PAGES = {
    "description": "what",
    "asb": "what",
    "dispute": "what",
    "concern": "what",
    "location": "where",
    "started": "where",
    "frequency": "where",
    "previous_reports": "where",
    "harm": "impact",
    "reporter": "about-you",
    "evidence": "evidence",  # not a contract field: the files a draft holds
}


def page_for_field(field: str) -> str:
    return FIELD_PAGES.get(field.split(".", 1)[0].split("[", 1)[0], PAGES[0].slug)


def next_slug(slug: str) -> str | None:
    """The page after ``slug``, or None when the next step is checking answers."""
    slugs = [page.slug for page in PAGES]
    position = slugs.index(slug)
    return slugs[position + 1] if position + 1 < len(slugs) else None


def previous_slug(slug: str) -> str | None:
    slugs = [page.slug for page in PAGES]
    position = slugs.index(slug)
    return slugs[position - 1] if position > 0 else None


def first_incomplete(completed: Sequence[str]) -> str | None:
    for page in PAGES:
        if page.slug not in completed:
            return page.slug
    return None
