"""A resident reports each kind of problem in a real browser, with JavaScript and without."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests import factories
from tests.conftest import MailCatcher
from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer, shown
from tests.evidence_files import jpeg_with_gps
from tests.processes import wait_for

REFERENCE = re.compile(r"DIO-\d{4}-\d{6}")
PHOTO = {"name": "broken-back-door.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}

# Which runs say email is not safe: each kind once, so each kind is seen both ways.
RUNS = [
    pytest.param("asb", True, True, id="asb-with-javascript"),
    pytest.param("asb", False, False, id="asb-without-javascript-email-unsafe"),
    pytest.param("neighbour_dispute", True, False, id="neighbour-dispute-with-javascript-email-unsafe"),
    pytest.param("neighbour_dispute", False, True, id="neighbour-dispute-without-javascript"),
    pytest.param("safety_concern", True, True, id="safety-concern-with-javascript"),
    pytest.param("safety_concern", False, False, id="safety-concern-without-javascript-email-unsafe"),
]


def _what(kind: str) -> dict[str, Any]:
    return dict(factories.WHAT[kind])


WHERE_SHOWN = {**factories.WHERE, "postcode": "S18 1AB"}  # the portal tidies the postcode


def _pages(kind: str, about: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Each question page: its path, the answers typed, and what it should show afterwards."""
    return [
        ("/report/what", _what(kind), _what(kind)),
        ("/report/details", factories.DETAILS[kind], factories.DETAILS[kind]),
        ("/report/where", factories.WHERE, WHERE_SHOWN),
        ("/report/when", factories.WHEN, factories.WHEN),
        ("/report/impact", factories.IMPACT, factories.IMPACT),
        ("/report/about-you", about, about),
    ]


def _expect_answers(tab: CheckedPage, expected: dict[str, Any]) -> None:
    assert shown(tab.page, list(expected)) == expected, f"answers lost on {tab.path}"


def _continue(tab: CheckedPage) -> CheckedPage:
    return tab.button("Save and continue")


@pytest.mark.parametrize(("kind", "javascript", "email_safe"), RUNS)
def test_resident_reports(
    journey: Callable[..., CheckedPage],
    app: Flask,
    mailbox: MailCatcher,
    kind: str,
    javascript: bool,
    email_safe: bool,
) -> None:
    email = f"{kind.replace('_', '.')}.{'js' if javascript else 'no-js'}@example.org"
    about = factories.about_for(kind, email=email, safe_to_email="yes" if email_safe else "no")
    pages = _pages(kind, about)
    tab = journey(javascript=javascript)

    tab.goto("/")
    tab.click(tab.page.get_by_role("button", name="Start now"))
    assert tab.path == "/report"
    answer(tab.page, {"kind": kind})
    tab.button("Continue")

    # A page sent with nothing answered says what is wrong, in its title too: only what it asks.
    assert tab.path == "/report/what"
    _continue(tab)
    assert tab.title.startswith("Error: ") and tab.errors(), "an empty page is refused with messages"
    assert len(tab.errors()) == 2, "the types and the description, nothing from later pages"

    for path, typed, _ in pages[:5]:
        assert tab.path == path
        answer(tab.page, typed)
        _continue(tab)

    assert tab.path == "/report/evidence"
    tab.page.set_input_files('input[name="files"]', files=[PHOTO])
    tab.button("Upload file")
    assert PHOTO["name"] in tab.text(), "the uploaded photo is listed"
    tab.button("Continue")

    path, typed, _ = pages[5]
    assert tab.path == path
    answer(tab.page, typed)
    _continue(tab)
    assert tab.h1() == "Check your answers before sending your report"
    assert PHOTO["name"] in tab.text()

    # Back, page by page to the first question: every answer is still there.
    for path, _, expected in reversed(pages):
        tab.link("Back")
        if tab.path == "/report/evidence":
            assert PHOTO["name"] in tab.text(), "the photo is kept going back"
            tab.link("Back")
        assert tab.path == path
        _expect_answers(tab, expected)
    # With every page answered, saving the first one goes straight back to checking.
    _continue(tab)
    assert tab.h1() == "Check your answers before sending your report"

    # Change one answer from the check page: the page shows every answer, and only that one changes.
    tab.click(tab.page.locator('a[href$="/report/when?change=1"]').first)
    _expect_answers(tab, factories.WHEN)
    answer(tab.page, {"frequency": "daily"})
    tab.button("Save and go back to check your answers")
    summary = tab.text()
    assert "Every day, or most days" in summary and "Every week" not in summary
    assert factories.WHERE["address"] in summary and about["name"] in summary and PHOTO["name"] in summary

    tab.button("Send report")
    assert tab.path == "/report/confirmation"
    found = REFERENCE.search(tab.page.locator(".govuk-panel").inner_text())
    assert found, "the confirmation shows the reference"
    reference = found.group()

    if email_safe:
        assert "We have sent you an email" in tab.text()
        mail = wait_for(lambda: mailbox.to(email))
        assert mail, "the acknowledgement arrives"
        assert reference in mail[0].get_body(("plain",)).get_content()
    else:
        assert "We have not sent you an email" in tab.text()
        assert not wait_for(lambda: mailbox.to(email), timeout=2), "no email where email is not safe"

    # On a shared device, the resident clears what this browser holds: the reference is not shown again.
    tab.button("Clear my answers from this device")
    assert tab.h1() == "Your answers have been cleared from this device"
    tab.goto("/report/confirmation")
    assert tab.path == "/" and not REFERENCE.search(tab.text()), "the reference is gone from this browser"
    tab.goto("/report")
    assert shown(tab.page, ["kind"]) == {"kind": None}, "starting again, nothing is chosen"
