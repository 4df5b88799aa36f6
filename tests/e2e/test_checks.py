"""The page checks themselves: each fails on the fault it looks for, so a pass means something."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.e2e.checks import CheckedPage, Visits, page_key
from tests.e2e.conftest import open_context

GOOD_HEAD = "<meta charset='utf-8'><meta name='viewport' content='width=device-width, initial-scale=1'>"


def _serve(page: Page, live_server: str, pages: dict[str, str]) -> None:
    def serve(route: Route) -> None:
        path = route.request.url.removeprefix(live_server)
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=pages[path])

    page.route(f"{live_server}/check-the-checks/**", serve)


@pytest.fixture
def fake_page(browser: Browser, live_server: str) -> Iterator[tuple[Page, dict[str, str]]]:
    """A tab on the portal's address whose page is whatever HTML the test puts in ``pages``."""
    context = open_context(browser, live_server)
    page = context.new_page()
    pages: dict[str, str] = {}
    _serve(page, live_server, pages)
    yield page, pages
    context.close()


def _checked(page: Page, pages: dict[str, str], path: str, body: str, title: str = "A page") -> CheckedPage:
    pages[path] = f"<!doctype html><html lang='en'><head>{GOOD_HEAD}<title>{title}</title></head>"
    pages[path] += f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    tab = CheckedPage(page, "check-the-checks", Visits())
    page.goto(path)
    return tab


def test_a_page_without_faults_passes(fake_page: tuple[Page, dict[str, str]]) -> None:
    page, pages = fake_page
    _checked(page, pages, "/check-the-checks/good", "<p>Nothing wrong here.</p>").check()


def test_axe_failures_fail_the_page(fake_page: tuple[Page, dict[str, str]]) -> None:
    page, pages = fake_page
    tab = _checked(page, pages, "/check-the-checks/axe", "<input type='text'><img src='data:,'>")
    with pytest.raises(AssertionError, match="label"):
        tab.check()


def test_sideways_scrolling_at_320_pixels_fails_the_page(fake_page: tuple[Page, dict[str, str]]) -> None:
    page, pages = fake_page
    tab = _checked(
        page, pages, "/check-the-checks/wide", "<p style='width: 600px'>A fixed-width paragraph.</p>"
    )
    with pytest.raises(AssertionError, match="scrolls sideways"):
        tab.check()


def test_axe_failures_seen_only_at_320_pixels_fail_the_page(fake_page: tuple[Page, dict[str, str]]) -> None:
    """A field whose label is hidden only on narrow screens passes at desktop width and fails at 320."""
    page, pages = fake_page
    body = (
        "<style>@media (max-width: 600px) { .wide-only { display: none; } }</style>"
        "<label class='wide-only' for='postcode'>Postcode</label><input type='text' id='postcode'>"
    )
    tab = _checked(page, pages, "/check-the-checks/narrow-axe", body)
    with pytest.raises(AssertionError, match="at 320 CSS pixels wide axe found"):
        tab.check()


def test_an_error_page_must_say_so_in_its_title(fake_page: tuple[Page, dict[str, str]]) -> None:
    page, pages = fake_page
    summary = "<div class='govuk-error-summary'><h2>There is a problem</h2></div>"
    tab = _checked(page, pages, "/check-the-checks/error", summary, title="Your details")
    with pytest.raises(AssertionError, match="beginning 'Error:'"):
        tab.check()


def test_two_pages_with_one_title_fail(fake_page: tuple[Page, dict[str, str]]) -> None:
    page, pages = fake_page
    first = _checked(page, pages, "/check-the-checks/one", "<p>One.</p>", title="Same")
    first.check()
    second = _checked(page, pages, "/check-the-checks/two", "<p>Two.</p>", title="Same")
    second.visits = first.visits
    with pytest.raises(AssertionError, match="also the title of /check-the-checks/one"):
        second.check()


def test_the_same_page_reached_by_two_tokens_is_one_page_and_other_pages_are_not() -> None:
    assert page_key("/your-report/sign-in/abc") == page_key("/your-report/sign-in/xyz")
    assert page_key("/report/continue/abc") == "/report/continue/<token>"
    assert page_key("/your-report/sign-in/abc/more") == "/your-report/sign-in/abc/more"
    assert page_key("/your-report/case") != page_key("/your-report/case-review")


def test_focus_that_cannot_be_seen_fails(fake_page: tuple[Page, dict[str, str]]) -> None:
    page, pages = fake_page
    body = "<style>a:focus { outline: none; }</style><a href='#'>A link</a>"
    tab = _checked(page, pages, "/check-the-checks/focus", body)
    with pytest.raises(AssertionError, match="focus is not visible"):
        tab.tab_to("a")


def test_a_page_without_javascript_is_checked_as_it_shows_without(browser: Browser, live_server: str) -> None:
    """The label below exists only when the page's script runs: without JavaScript it is missing."""
    contexts = [open_context(browser, live_server, javascript=False), open_context(browser, live_server)]
    try:
        page, audit = (context.new_page() for context in contexts)
        pages: dict[str, str] = {}
        _serve(page, live_server, pages)
        script = (
            "<script>document.querySelector('main')"
            ".insertAdjacentHTML('beforeend', '<label for=name>Name</label>')</script>"
        )
        tab = _checked(page, pages, "/check-the-checks/no-js", f"<input type='text' id='name'>{script}")
        tab.audit = audit
        with pytest.raises(AssertionError, match="label"):
            tab.check()
    finally:
        for context in contexts:
            context.close()
