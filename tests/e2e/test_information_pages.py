"""The pages a resident can reach besides the report itself: the footer's, and the ones for when
something has gone wrong."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.e2e.checks import CheckedPage


def test_footer_pages_and_pages_for_going_wrong(journey: Callable[..., CheckedPage], app: Flask) -> None:
    tab = journey(javascript=True)
    tab.goto("/")
    for name, heading in (
        ("Accessibility statement", "Accessibility statement"),
        ("Privacy notice", "Privacy notice"),
        ("Cookies", "Cookies"),
    ):
        tab.click(tab.page.locator("footer").get_by_role("link", name=name, exact=True))
        assert tab.h1().startswith(heading)

    # A question page in a browser with no answers kept: start again, never a crash.
    tab.goto("/report/where")
    assert tab.h1() == "Your answers are no longer available"
    tab.button("Start again")  # a link drawn as a button
    assert tab.path == "/report"

    tab.goto("/no-such-page")
    assert tab.h1() == "Page not found"
