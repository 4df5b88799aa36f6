"""A resident who uses only the keyboard: Tab, Shift+Tab, Enter and Space, the arrow keys within a
group of radios, and typing answers.

Every press of Tab or Shift+Tab is followed by a check that the focused element shows its focus.
Tab enters a group of radios at its first option; Space chooses it, and an arrow key moves the
choice to the next one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Report
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


def _choose(tab: CheckedPage, group: str, value: str, downs: int) -> None:
    """Tab into a group of radios and move the choice down ``downs`` options with the arrow key."""
    tab.tab_to(f"#{group}")
    tab.press("Space")
    for _ in range(downs):
        tab.press("ArrowDown")
    assert tab.page.is_checked(f'input[name="{group}"][value="{value}"]'), f"{group} is not {value}"


def _save(tab: CheckedPage, key: str = "Enter") -> None:
    """Tab to the page's Save button and press it."""
    tab.tab_to(SAVE)
    tab.press_for_new_page(key)


def _where_when_and_impact(tab: CheckedPage, address: str, postcode: str) -> None:
    """Answer where, then the first answer to each question of when and of how it affects the
    resident, and go past the evidence page."""
    assert tab.path == "/report/where"
    _type(tab, "#address", address)
    _type(tab, "#postcode", postcode)
    _save(tab)

    assert tab.path == "/report/when"
    _tick(tab, "#started")  # today
    _tick(tab, "#frequency")  # once
    _tick(tab, "#previous_reports")  # no
    _save(tab, "Space")

    assert tab.path == "/report/impact"
    _tick(tab, "#harm")  # feels unsafe
    _save(tab)

    assert tab.path == "/report/evidence"
    tab.tab_to('button[name="continue"]')
    tab.press_for_new_page("Enter")


def test_keyboard_only_resident_completes_a_report(journey: Callable[..., CheckedPage], app: Flask) -> None:
    tab = journey(javascript=True)
    tab.goto("/")
    tab.press("Tab")
    assert "Skip to main content" in tab.focus_shown(), "the first Tab reaches the skip link"
    tab.tab_to("a.govuk-button--start")
    tab.press_for_new_page("Enter")

    assert tab.path == "/report"
    _tick(tab, "#kind")  # anti-social behaviour
    _save(tab)

    assert tab.path == "/report/what"
    _tick(tab, "#types")  # noise
    _type(tab, "#description", "Loud music from the flats every night after midnight.")
    _save(tab)

    assert tab.path == "/report/details"
    _tick(tab, "#perpetrators_known")  # yes
    _tick(tab, "#perpetrator_is_neighbour")  # yes
    _tick(tab, "#willing_to_mediate")  # yes
    _save(tab)

    _where_when_and_impact(tab, "Flats above the Co-op, Station Road, Dronfield", "S18 1AB")

    assert tab.path == "/report/about-you"
    _tick(tab, "#anonymous")  # stays anonymous, so leaves the contact details empty
    _tick(tab, "#lives_in_district")
    _save(tab)

    assert tab.h1() == "Check your answers before sending your report"
    # Back to the first page from the check page's Change link, and back again, by keyboard.
    tab.tab_to('a[href$="/report/what?change=1"]')
    tab.press_for_new_page("Enter")
    assert tab.page.input_value("#description").startswith("Loud music")
    _save(tab)
    assert tab.h1() == "Check your answers before sending your report"
    # The people responsible are changed on their own page, and the follow-ups are still answered.
    tab.tab_to('a[href$="/report/details?change=1"]')
    tab.press_for_new_page("Enter")
    assert tab.page.is_checked('input[name="willing_to_mediate"][value="yes"]')
    _save(tab)
    assert tab.h1() == "Check your answers before sending your report"

    _save(tab, "Space")
    assert tab.path == "/report/confirmation"
    assert re.search(r"DIO-\d{4}-\d{6}", tab.page.locator(".govuk-panel").inner_text())
    assert "We have not sent you an email" in tab.text()
    # And back to the top of the page with Shift+Tab: focus stays visible all the way.
    tab.tab_to(".govuk-header__link--homepage", backwards=True)


def test_keyboard_only_victim_reports_a_safety_concern_and_says_email_is_not_safe(
    journey: Callable[..., CheckedPage], app: Flask
) -> None:
    tab = journey(javascript=True)
    tab.goto("/")
    tab.tab_to("a.govuk-button--start")
    tab.press_for_new_page("Enter")

    assert tab.path == "/report"
    _choose(tab, "kind", "safety_concern", 2)
    _save(tab)

    assert tab.path == "/report/what"
    # "Exit this page" is reachable from the keyboard before any question.
    tab.tab_to(".govuk-exit-this-page__button")
    _tick(tab, "#types")  # my home has been burgled
    _type(tab, "#description", "Someone broke in through the back door. The lock is still broken.")
    _save(tab)

    assert tab.path == "/report/details"
    _choose(tab, "perpetrator_lives_at_address", "no", 1)
    _save(tab)

    _where_when_and_impact(tab, "3 Mill Lane, Killamarsh", "S21 1AB")

    # A safety concern is never anonymous: the contact questions follow the answers typed.
    assert tab.path == "/report/about-you"
    _type(tab, "#name", "Alex Victim")
    _type(tab, "#email", "alex.victim@example.org")
    _choose(tab, "safe_to_email", "no", 1)
    _type(tab, "#phone", "07700 900456")
    _tick(tab, "#safe_to_phone")  # yes
    _type(tab, "#safe_call_times", "Weekday mornings, before 11am")
    _choose(tab, "voicemail_ok", "no", 1)
    _choose(tab, "text_ok", "no", 1)
    _tick(tab, "#lives_in_district")
    _save(tab)

    assert tab.h1() == "Check your answers before sending your report"
    _save(tab)
    assert tab.path == "/report/confirmation"
    assert "We have not sent you an email" in tab.text()

    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.kind == "safety_concern" and report.types == ["burglary_victim"]
        assert (report.safe_to_email, report.safe_to_phone) == (False, True)
        assert (report.safe_call_times, report.voicemail_ok, report.text_ok) == (
            "Weekday mornings, before 11am",
            False,
            False,
        )
