"""The tasking agenda is a compact table a meeting can read on screen, with every detail on paper."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask

from tests.cases import make_case
from tests.e2e.checks import CheckedPage
from tests.e2e.officers import signed_in
from tests.helpers import today
from tests.officers import make_account

CASES = 50
# 50 cases, each shown in full, made a page about 25,000 CSS pixels tall.
MOST_PIXELS = 7_000

OPEN_DETAILS = "[...document.querySelectorAll('details')].filter((d) => d.open).length"
SHOWN_DETAIL_TEXTS = (
    "[...document.querySelectorAll('.govuk-details__text')].filter((d) => d.getClientRects().length).length"
)


def _cases(app: Flask) -> list[str]:
    submitted = datetime.now(UTC) - timedelta(days=3)
    return [
        make_case(
            app,
            submitted_at=submitted,
            due_by=today() + timedelta(days=number % 12 - 2),
            flags=["safeguarding"] if number % 7 == 0 else ["hate_incident"] if number % 5 == 0 else [],
            risk_level=("standard", "medium", "high")[number % 3],
        )
        for number in range(CASES)
    ]


def test_fifty_cases_make_a_compact_agenda_whose_details_open_and_print(
    journey: Callable[..., CheckedPage], app: Flask
) -> None:
    references = _cases(app)
    tab = signed_in(journey, app, make_account(app, "officer"))
    tab.link("Tasking agenda")
    page = tab.page
    assert page.get_by_role("heading", name=f"New since the last meeting ({CASES})").is_visible()
    assert page.get_by_role("rowheader").count() == CASES
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MOST_PIXELS, f"the agenda of {CASES} cases is {height} CSS pixels tall"

    # A case's detail opens in place: the first case's is the first on the page.
    first = page.get_by_text(f"Details of {references[0]}", exact=True)
    detail = page.locator("details", has=first).get_by_text("Tasking decision")
    assert not detail.is_visible()
    first.click()
    assert detail.is_visible()
    first.click()

    # Printed, every case's detail is open; afterwards the screen is as it was.
    page.emulate_media(media="print")
    assert page.evaluate(SHOWN_DETAIL_TEXTS) == CASES, "print CSS shows every case's details"
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate(OPEN_DETAILS) == CASES
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert page.evaluate(OPEN_DETAILS) == 0


def test_without_javascript_the_agenda_s_details_still_open(
    journey: Callable[..., CheckedPage], app: Flask
) -> None:
    references = _cases(app)[:3]
    tab = signed_in(journey, app, make_account(app, "officer"), javascript=False)
    tab.link("Tasking agenda")
    summary = tab.page.get_by_text(f"Details of {references[1]}", exact=True)
    detail = tab.page.locator("details", has=summary).get_by_text("No outstanding actions.")
    assert not detail.is_visible()
    summary.click()
    assert detail.is_visible()
