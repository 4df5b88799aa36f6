"""The order of the question pages, and what each page asks, for every kind of report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import current_app

from portal.public.forms import (
    ImpactForm,
    JourneyForm,
    about_form,
    details_form,
    what_form,
    when_form,
    where_form,
)
from portal.public.wording import KindWording, wording_for
from portal.triage.contract import KIND_BLOCKS


@dataclass(frozen=True)
class Page:
    """A question page: one topic, asked in the words of each kind (``portal/public/wording.py``)."""

    slug: str
    title: str | Callable[[KindWording], str]
    form: Callable[[str], type[JourneyForm]] | None  # None: the evidence page, which has no answers

    def form_for(self, kind: str) -> type[JourneyForm]:
        assert self.form is not None
        return self.form(kind)

    def title_for(self, kind: str) -> str:
        return self.title if isinstance(self.title, str) else self.title(wording_for(kind))


def _about(kind: str) -> type[JourneyForm]:
    return about_form(kind, current_app.config["COUNCIL_AREA"])


# One topic a page, as GOV.UK asks one thing a page: a resident who leaves a page empty is told
# only what that page asks.
PAGES = (
    Page("what", "What is happening?", what_form),
    Page("details", lambda words: words.details_title, details_form),
    Page("where", lambda words: words.place.label, where_form),
    Page("when", lambda words: words.when_title, when_form),
    Page("impact", "How is it affecting you?", lambda kind: ImpactForm),
    Page("evidence", "Add photos or documents (optional)", None),
    Page("about-you", "About you and how we can contact you", _about),
)
PAGES_BY_SLUG = {page.slug: page for page in PAGES}

# Where the answer named by a contract field is asked, for sending a resident back to it. A kind's
# block is asked on two pages: its types with the description, its yes/no questions after them.
FIELD_PAGES = {
    "description": "what",
    **{block: "what" for block, _types, _details in KIND_BLOCKS.values()},
    **{f"{block}.types": "what" for block, _types, _details in KIND_BLOCKS.values()},
    **{f"{block}.{name}": "details" for block, _types, details in KIND_BLOCKS.values() for name in details},
    "location": "where",
    "started": "when",
    "frequency": "when",
    "previous_reports": "when",
    "harm": "impact",
    "reporter": "about-you",
    "evidence": "evidence",  # not a contract field: the files a draft holds
}


def page_for_field(field: str) -> str:
    """The page that asks the contract field ``field`` ("asb.types[1]", "location.postcode"): the
    page of its longest dotted name that one is known for, or the first page."""
    path = field.split("[", 1)[0]
    while path:
        if path in FIELD_PAGES:
            return FIELD_PAGES[path]
        path = path.rpartition(".")[0]
    return PAGES[0].slug


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
