"""In a real browser: a resident gives feedback from the phase banner, with and without JavaScript,
and an officer reads it in the back-office."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer
from tests.officers import PASSWORD, fresh_code, make_account

COMMENT = "The questions were clear, but I was not sure which ward I live in."


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_resident_gives_feedback_and_an_officer_reads_it(
    journey: Callable[..., CheckedPage], app: Flask, javascript: bool
) -> None:
    tab = journey(javascript=javascript)
    tab.goto("/")
    banner = tab.page.locator(".govuk-phase-banner")
    tab.click(banner.get_by_role("link", name="feedback", exact=True))
    assert tab.path == "/feedback"
    assert tab.h1() == "Give feedback on Report anti-social behaviour or a safety concern"
    expect(tab.page.get_by_text("Do not include personal or financial information")).to_be_visible()

    tab.button("Send feedback")
    assert tab.title.startswith("Error: ")
    assert tab.errors() == ["Select how you felt about the service"]

    group = tab.page.get_by_role(
        "group", name="Overall, how did you feel about the service you received today?"
    )
    group.get_by_label("Satisfied", exact=True).check()
    tab.page.get_by_label("How could we improve this service? (optional)").fill(COMMENT)
    tab.button("Send feedback")
    assert tab.path == "/feedback/sent"
    expect(tab.page.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()

    officer = make_account(app, "officer", name=f"Feedback Reader {'js' if javascript else 'plain'}")
    desk = journey(who="officer")
    desk.goto("/officer/feedback")
    assert desk.path == "/officer/sign-in", "feedback is for signed-in officers only"
    answer(desk.page, {"email": officer.email, "password": PASSWORD})
    desk.button("Sign in")
    answer(desk.page, {"code": fresh_code(app, officer)})
    desk.button("Continue")
    desk.click(desk.page.get_by_role("navigation", name="Back-office").get_by_role("link", name="Feedback"))
    assert desk.h1() == "Residents' feedback"
    newest = desk.page.get_by_role("row").nth(1)
    expect(newest).to_contain_text("Satisfied")
    expect(newest).to_contain_text(COMMENT)
