"""A resident who uses only the keyboard: Tab, Shift+Tab, Enter and Space, and typing answers.

Every press of Tab or Shift+Tab is followed by a check that the focused element shows its focus.
Without arrow keys, Space can choose only the option a group is entered at, which in Chromium is
its first from either direction: the answers below are each group's first option.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from tests.e2e.checks import CheckedPage

SAVE = "main form button.govuk-button[type=submit]"


def _tick(tab: CheckedPage, selector: str) -> None:
    """Tab to a radio or checkbox and select it with Space."""
    tab.tab_to(selector)
    tab.press("Space")
    assert tab.page.is_checked(selector), f"Space did not select {selector}"


def _type(tab: CheckedPage, selector: str, text: str) -> None:
    tab.tab_to(selector)
    tab.page.keyboard.type(text)


def test_keyboard_only_resident_completes_a_report(journey: Callable[..., CheckedPage], app: Flask) -> None:
    tab = journey(javascript=True)
    tab.goto("/")
    tab.press("Tab")
    assert "Skip to main content" in tab.focus_shown(), "the first Tab reaches the skip link"
    tab.tab_to("a.govuk-button--start")
    tab.press_for_new_page("Enter")

    assert tab.path == "/report"
    _tick(tab, "#kind")  # anti-social behaviour
    tab.tab_to(SAVE)
    tab.press_for_new_page("Enter")

    assert tab.path == "/report/what"
    _tick(tab, "#types")  # noise
    _type(tab, "#description", "Loud music from the flats every night after midnight.")
    _tick(tab, "#perpetrators_known")  # yes
    _tick(tab, "#perpetrator_is_neighbour")  # yes
    _tick(tab, "#willing_to_mediate")  # yes
    tab.tab_to(SAVE)
    tab.press_for_new_page("Enter")

    assert tab.path == "/report/where"
    _type(tab, "#address", "Flats above the Co-op, Station Road, Dronfield")
    _type(tab, "#postcode", "S18 1AB")
    _tick(tab, "#started")  # today
    _tick(tab, "#frequency")  # once
    _tick(tab, "#previous_reports")  # no
    tab.tab_to(SAVE)
    tab.press_for_new_page("Space")

    assert tab.path == "/report/impact"
    _tick(tab, "#harm")  # feels unsafe
    tab.tab_to(SAVE)
    tab.press_for_new_page("Enter")

    assert tab.path == "/report/evidence"
    tab.tab_to('button[name="continue"]')
    tab.press_for_new_page("Enter")

    assert tab.path == "/report/about-you"
    _tick(tab, "#anonymous")  # stays anonymous, so leaves the contact details empty
    _tick(tab, "#lives_in_district")
    tab.tab_to(SAVE)
    tab.press_for_new_page("Enter")

    assert tab.h1() == "Check your answers before sending your report"
    # Back to the first page from the check page's Change link, and back again, by keyboard.
    tab.tab_to('a[href$="/report/what?change=1"]')
    tab.press_for_new_page("Enter")
    assert tab.page.input_value("#description").startswith("Loud music")
    tab.tab_to(SAVE)
    tab.press_for_new_page("Enter")
    assert tab.h1() == "Check your answers before sending your report"

    tab.tab_to(SAVE)
    tab.press_for_new_page("Space")
    assert tab.path == "/report/confirmation"
    assert re.search(r"DIO-\d{4}-\d{6}", tab.page.locator(".govuk-panel").inner_text())
    assert "We have not sent you an email" in tab.text()
    # And back to the top of the page with Shift+Tab: focus stays visible all the way.
    tab.tab_to(".govuk-header__link--homepage", backwards=True)
