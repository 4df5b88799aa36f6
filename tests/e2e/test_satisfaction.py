"""In a real browser: a resident follows the link in the email saying their case was closed, answers
the one question by its label, and is thanked. Without JavaScript: the page needs none (and one
journey only, as the check of page titles counts the link with each token as a page of its own)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import SatisfactionQuestion
from tests.cases import make_case
from tests.closing import LINK, close
from tests.conftest import MailCatcher
from tests.e2e.checks import CheckedPage
from tests.officers import make_account
from tests.processes import wait_for

QUESTION = "How satisfied are you with how we handled your report?"
RESIDENT = "robin.resident@example.org"


def test_a_resident_answers_the_question_sent_when_their_case_was_closed(
    journey: Callable[..., CheckedPage], app: Flask, mailbox: MailCatcher
) -> None:
    reference = make_case(
        app, description="Bins set alight behind the flats", reporter_email=RESIDENT, email_key=RESIDENT
    )
    close(app, reference, make_account(app, "supervisor"))
    # The link as the resident gets it: the email in the real mailbox (once sent, the outbox keeps
    # no working link).
    mail = wait_for(lambda: mailbox.to(RESIDENT))
    assert mail, "the question arrives by email"
    found = LINK.search(mail[0].get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert found is not None
    tab = journey(javascript=False)
    tab.goto(found.group(1))
    assert tab.h1() == "Tell us how we handled your report"
    expect(tab.page.locator(".govuk-exit-this-page")).to_be_visible()
    assert reference not in tab.text() and "Bins" not in tab.text()

    tab.button("Send")
    assert tab.title.startswith("Error: ")
    assert tab.errors() == ["Select how satisfied you are with how we handled your report"]

    tab.page.get_by_role("group", name=QUESTION).get_by_label("Partly satisfied", exact=True).check()
    tab.page.get_by_label("Is there anything you would like to tell us? (optional)").fill("Quieter now")
    tab.button("Send")
    assert tab.path == "/your-report/satisfaction/sent"
    expect(tab.page.get_by_role("heading", name="Thank you for your answer")).to_be_visible()
    with app.app_context():
        row = db.session.scalars(select(SatisfactionQuestion)).one()
        assert (row.answer, row.comment) == ("partly_satisfied", "Quieter now")
