"""The "Exit this page" button leaves at once for a page that gives nothing away, and tells it nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, Route

from tests import factories
from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer

# The portal's default EXIT_PAGE_URL. This network reaches nothing outside, so the browser is
# answered with a stand-in page; what is tested is that it goes there, and how.
NEUTRAL = "https://www.bbc.co.uk/weather"
NEUTRAL_PAGE = "<!doctype html><html lang='en'><title>BBC Weather</title><h1>Weather</h1></html>"


def _stand_in(page: Page) -> list[dict[str, str]]:
    """Answer requests for the neutral site; return the headers each one arrived with."""
    arrivals: list[dict[str, str]] = []

    def fulfil(route: Route) -> None:
        arrivals.append(route.request.headers)
        route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)

    page.route("https://www.bbc.co.uk/**", fulfil)
    return arrivals


def _left_for_neutral_page(page: Page, arrivals: list[dict[str, str]]) -> None:
    assert page.url == NEUTRAL
    assert page.title() == "BBC Weather"
    assert arrivals, "the browser went to the neutral page"
    assert "referer" not in arrivals[-1], "the neutral site is not told where the resident came from"


def _safety_concern_question(tab: CheckedPage, slug: str = "what") -> None:
    """Open a safety concern and go to its question page ``slug``: "what", or "details", which asks
    about the person involved."""
    tab.goto("/report")
    answer(tab.page, {"kind": "safety_concern"})
    tab.button("Continue")
    assert tab.path == "/report/what"
    if slug == "details":
        answer(tab.page, factories.WHAT["safety_concern"])
        tab.button("Save and continue")
    assert tab.path == f"/report/{slug}"


@pytest.mark.parametrize("slug", ["what", "details"])
@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_exit_this_page_by_clicking(
    journey: Callable[..., CheckedPage], app: Flask, javascript: bool, slug: str
) -> None:
    tab = journey(javascript=javascript)
    arrivals = _stand_in(tab.page)
    _safety_concern_question(tab, slug)
    with tab.page.expect_navigation(url=NEUTRAL):
        tab.page.get_by_role("button", name="Emergency Exit this page").click()
    _left_for_neutral_page(tab.page, arrivals)


def test_exit_this_page_by_pressing_shift_three_times(
    journey: Callable[..., CheckedPage], app: Flask
) -> None:
    tab = journey(javascript=True)
    arrivals = _stand_in(tab.page)
    _safety_concern_question(tab)
    with tab.page.expect_navigation(url=NEUTRAL):
        for _ in range(3):
            tab.page.keyboard.press("Shift")
    _left_for_neutral_page(tab.page, arrivals)


def test_an_asb_page_offers_the_exit_and_how_to_leave_quickly(
    journey: Callable[..., CheckedPage], app: Flask
) -> None:
    """Intimidation and harassment are ASB too: its pages offer the exit as a safety concern's do."""
    tab = journey(javascript=True)
    arrivals = _stand_in(tab.page)
    tab.goto("/report")
    answer(tab.page, {"kind": "asb"})
    tab.button("Continue")
    assert tab.path == "/report/what"
    tab.link("How to leave this website quickly and safely")
    assert tab.path == "/leaving-quickly"
    assert "Shift key 3 times" in tab.text()
    with tab.page.expect_navigation(url=NEUTRAL):
        for _ in range(3):
            tab.page.keyboard.press("Shift")
    _left_for_neutral_page(tab.page, arrivals)
