"""On a shared device a resident's answers and reference do not outlast them: the cookie ends with
the browser, the reference is shown for a short time, "Clear my answers" leaves nothing behind, and
a closed browser's draft is continued only through a single-use link sent to a safe email."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Draft, OutboxMessage
from portal.models.types import utcnow
from portal.public.journey import PAGES
from portal.public.journey_views import SUBMITTED_AT_KEY, SUBMITTED_KEY
from tests import factories
from tests.conftest import MailCatcher
from tests.evidence_files import PNG
from tests.helpers import Page, PageClient
from tests.journey import choose, fill_until, kept, submit, upload

EMAIL = "sam.resident@example.org"
CLEAR = "Clear my answers from this device"


def _clear_button(page: Page) -> bool:
    """The page has a form of its own that posts, with a CSRF token, to clear the answers."""
    for form in page.soup.find_all("form", action="/report/clear-answers"):
        token = form.find("input", attrs={"name": "csrf_token", "type": "hidden"})
        button = form.find("button")
        if form.get("method") == "post" and token and token.get("value") and button:
            return bool(button.get_text(strip=True) == CLEAR)
    return False


def _drafts(app: Flask) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Draft.id)).all())


# --- The cookie ---------------------------------------------------------------------------------


def test_a_resident_s_cookie_ends_when_the_browser_closes(client: PageClient) -> None:
    token = client.get("/report").csrf_token()
    responses = [client.post_raw("/report", {"csrf_token": token, "kind": "asb"})]
    responses.append(client.post_raw("/report/what", {"csrf_token": token, **factories.WHAT["asb"]}))
    for response in responses:
        [cookie] = response.headers.getlist("Set-Cookie")
        assert cookie.startswith("session=")
        assert "expires=" not in cookie.lower() and "max-age=" not in cookie.lower(), cookie


# --- The reference, for a short time --------------------------------------------------------------


def test_the_reference_is_shown_to_the_browser_that_sent_it_for_30_minutes_only(client: PageClient) -> None:
    confirmation = submit(client, "asb")
    reference = confirmation.soup.select_one(".govuk-panel__body strong").get_text(strip=True)
    with client.client.session_transaction() as session:
        session[SUBMITTED_AT_KEY] = int(time.time()) - 29 * 60
    assert reference in client.get("/report/confirmation").text(), "still within the window"

    with client.client.session_transaction() as session:
        session[SUBMITTED_AT_KEY] = int(time.time()) - 30 * 60 - 1
    later = client.get("/report/confirmation")
    assert later.h1 == "Your report was sent"
    assert "we sent your reference number to it in an email" in later.text()
    assert reference not in later.html and not re.search(r"DIO-\d{4}-\d{6}", later.html)
    with client.client.session_transaction() as session:
        assert SUBMITTED_KEY not in session and SUBMITTED_AT_KEY not in session
    assert client.get("/report/confirmation").h1 != "Report sent", "and it is not shown again"


def test_the_confirmation_window_is_a_setting(
    app: Flask, client: PageClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "CONFIRMATION_MINUTES", 5)
    submit(client, "asb")
    with client.client.session_transaction() as session:
        session[SUBMITTED_AT_KEY] = int(time.time()) - 5 * 60 - 1
    assert client.get("/report/confirmation").h1 == "Your report was sent"


# --- Clear my answers -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["asb", "neighbour_dispute", "safety_concern"])
def test_every_page_of_the_journey_offers_to_clear_my_answers(client: PageClient, kind: str) -> None:
    pages = [choose(client, kind)]  # the first question
    pages.append(client.get("/report"))  # back to the choice, with a draft
    for slug in (page.slug for page in PAGES):
        pages.append(client.get(f"/report/{slug}"))
        fill_until(client, kind, stop_before=slug)
        pages.append(client.get(f"/report/{slug}"))  # drawn once, then served again
    pages.append(fill_until(client, kind))
    pages.append(client.post_form("/report/check"))
    assert [page.h1 for page in pages][-2:] == [
        "Check your answers before sending your report",
        "Report sent",
    ]
    for page in pages:
        assert _clear_button(page), page.path


def test_clearing_my_answers_deletes_the_draft_and_its_files(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    upload(client, (PNG, "door.png"))
    fill_until(client, "asb")
    [(_, stored)] = kept(app)
    assert stored.exists() and _drafts(app) == 1

    page = client.post("/report/clear-answers", {"csrf_token": client.get("/report/check").csrf_token()})

    assert page.h1 == "Your answers have been cleared from this device"
    assert "we have deleted your answers and any files you added" in page.text()
    assert "Start again" in page.text()
    assert _drafts(app) == 0 and kept(app) == [] and not stored.exists()
    with client.client.session_transaction() as session:
        assert dict(session) == {}
    after = client.get("/report/check")
    assert after.h1 == "Your answers are no longer available" and "Start again" in after.text()
    assert "Station Road" not in after.html


def test_clearing_on_the_confirmation_page_forgets_the_reference(client: PageClient) -> None:
    confirmation = submit(client, "asb")
    reference = confirmation.soup.select_one(".govuk-panel__body strong").get_text(strip=True)
    page = client.post("/report/clear-answers", {"csrf_token": confirmation.csrf_token()})
    assert page.h1 == "Your answers have been cleared from this device"
    assert reference not in client.get("/report/confirmation").html


# --- A link to continue ------------------------------------------------------------------------------


def _link(mailbox: MailCatcher, email: str = EMAIL) -> str:
    [message] = [m for m in mailbox.to(email) if m["Subject"] == "Continue your report"]
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"http://127\.0\.0\.1:5000(/report/continue/[A-Za-z0-9_-]{40,})", text)
    assert found, text
    return found.group(1)


def _closed_browser(app: Flask, **about: str) -> PageClient:
    """A resident who answered every page and then closed the browser (its cookie is gone)."""
    first = PageClient(app.test_client())
    fill_until(first, "asb", about=factories.about(**about))
    return PageClient(app.test_client())


def test_a_link_to_continue_opens_the_draft_in_a_new_browser_once(app: Flask, mailbox: MailCatcher) -> None:
    browser = _closed_browser(app)
    assert browser.get("/").soup.find("a", href="/report/continue"), "the start page links to it"
    sent = browser.post_form("/report/continue", {"email": "Sam.Resident@Example.org "})
    assert sent.h1 == "Check your email"
    link = _link(mailbox)
    with app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        assert link.rsplit("/", 1)[1] not in str(draft.resume_token_hash), "only its hash is kept"
        email = db.session.scalars(select(OutboxMessage)).one()
        assert "Station Road" not in email.body_text and "Sam Resident" not in email.body_text

    opened = browser.get(link)
    assert opened.h1 == "Continue your report", "following the link alone changes nothing"
    resumed = browser.post(link, {"csrf_token": opened.csrf_token()})
    assert resumed.h1 == "Check your answers before sending your report"
    assert "Station Road" in resumed.text()
    assert _clear_button(resumed)

    again = PageClient(app.test_client())
    assert again.get(link).h1 == "This link has expired or has already been used"
    token = again.get("/report/continue").csrf_token()
    assert again.post(link, {"csrf_token": token}).h1 == "This link has expired or has already been used"
    assert browser.post_form("/report/check").h1 == "Report sent", "the resumed draft is sent as usual"


def test_a_link_to_continue_expires_after_an_hour(app: Flask, mailbox: MailCatcher) -> None:
    browser = _closed_browser(app)
    browser.post_form("/report/continue", {"email": EMAIL})
    link = _link(mailbox)
    with app.app_context():
        db.session.execute(update(Draft).values(resume_expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert browser.get(link).h1 == "This link has expired or has already been used"
    token = browser.get("/report/continue").csrf_token()
    assert browser.post(link, {"csrf_token": token}).h1 == "This link has expired or has already been used"


def test_a_link_is_sent_only_to_an_email_the_resident_said_is_safe(app: Flask, mailbox: MailCatcher) -> None:
    for about in ({"safe_to_email": "no"}, {"anonymous": "yes"}):
        browser = _closed_browser(app, **about)
        assert browser.post_form("/report/continue", {"email": EMAIL}).h1 == "Check your email"
    assert mailbox.to(EMAIL) == []
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_asking_for_a_link_says_the_same_whether_or_not_there_is_a_draft(
    app: Flask, mailbox: MailCatcher
) -> None:
    browser = _closed_browser(app)
    answers = []
    for email in (EMAIL, "nobody@example.org"):
        response = browser.post_raw(
            "/report/continue", {"csrf_token": browser.get("/report/continue").csrf_token(), "email": email}
        )
        page = browser.get(response.location)
        answers.append((response.status_code, response.location, page.html.split("<main")[1]))
    assert answers[0] == answers[1]
    assert "If we have an unfinished report for that address" in answers[0][2]
    assert len(mailbox.to(EMAIL)) == 1


def test_asking_for_a_link_needs_a_real_email_address(client: PageClient) -> None:
    assert client.post_form("/report/continue", {"email": ""}).errors == ["Enter your email address"]
    assert client.post_form("/report/continue", {"email": "sam@"}).errors == [
        "Enter an email address in the correct format, like name@example.com"
    ]


def test_the_limit_per_email_counts_every_way_of_writing_the_address(
    app: Flask, mailbox: MailCatcher
) -> None:
    local, _, domain = EMAIL.partition("@")
    writings = [EMAIL.upper(), f" {local}\u200b@{domain} ", "".join(chr(ord(c) + 0xFEE0) for c in EMAIL)]
    browser = _closed_browser(app)
    for written in writings:
        token = browser.get("/report/continue").csrf_token()
        asked = browser.post_raw("/report/continue", {"csrf_token": token, "email": written})
        assert asked.status_code in (200, 302), "answered (or told to correct the address), not paused"
    token = browser.get("/report/continue").csrf_token()
    assert browser.post_raw("/report/continue", {"csrf_token": token, "email": EMAIL}).status_code == 429


def test_asking_for_links_is_rate_limited_per_email_and_per_address(app: Flask, mailbox: MailCatcher) -> None:
    browser = _closed_browser(app)
    for _ in range(3):
        assert browser.post_form("/report/continue", {"email": EMAIL}).h1 == "Check your email"
    token = browser.get("/report/continue").csrf_token()
    assert browser.post_raw("/report/continue", {"csrf_token": token, "email": EMAIL}).status_code == 429
    assert len(mailbox.to(EMAIL)) == 3
    for number in range(7):
        page = browser.post_form("/report/continue", {"email": f"someone{number}@example.org"})
        assert page.h1 == "Check your email"
    token = browser.get("/report/continue").csrf_token()
    response = browser.post_raw("/report/continue", {"csrf_token": token, "email": "another@example.org"})
    assert response.status_code == 429
