"""A resident reports each kind of problem, from the start page to the acknowledgement email."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Attachment, OutboxMessage, Report
from portal.public.journey import page_for_field
from portal.triage.contract import KINDS
from tests import factories
from tests.conftest import MailCatcher
from tests.evidence_files import PNG
from tests.helpers import Page, PageClient
from tests.journey import choose, fill_until, submit


def test_start_page_signposts_emergencies_before_any_form(client: PageClient) -> None:
    page = client.get("/")
    text = page.text()
    for number in ("999", "101", "0800 555 111", "0808 2000 247"):
        assert number in text
    assert page.soup.find("form") is None
    start = page.soup.select_one("a.govuk-button--start")
    assert start is not None and start["href"] == "/report"


@pytest.mark.parametrize("kind", KINDS)
def test_resident_gets_a_reference_on_screen_and_by_email(
    app: Flask, client: PageClient, mailbox: MailCatcher, kind: str
) -> None:
    confirmation = submit(client, kind)

    assert confirmation.h1.startswith("Report sent")
    reference = confirmation.soup.select_one(".govuk-panel__body strong").get_text(strip=True)
    assert re.fullmatch(r"DIO-\d{4}-\d{6}", reference)
    assert "We have sent you an email" in confirmation.text()

    [email] = mailbox.to("sam.resident@example.org")
    assert reference in email["Subject"]
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    for body in (text, html):
        assert reference in body
        assert "We aim to contact you by" in body
        # Someone else may read the inbox: the resident's own words are never repeated.
        assert factories.WHAT[kind]["description"].splitlines()[0] not in body
        assert "Station Road" not in body

    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        assert report.kind == kind
        typed = factories.WHAT[kind]["description"]
        assert report.description.replace("\r\n", "\n") == typed
        assert report.postcode == "S18 1AB"
        assert report.ward == "Dronfield North"
        assert report.harm_feel_unsafe and report.harm_daily_life_affected and not report.harm_targeted
        assert report.email_key == "sam.resident@example.org"
        assert report.phone_key == "07700900982"
        assert report.status == "new"
        assert set(report.types) == set(factories.WHAT[kind]["types"])
        sent = db.session.scalars(select(OutboxMessage)).one()
        assert sent.status == "sent" and sent.report_id == report.id


def change_link(check: Page, question: str) -> str:
    """Where the Change link of the answer to ``question`` on check your answers goes."""
    for row in check.soup.select(".govuk-summary-list__row"):
        key = row.select_one(".govuk-summary-list__key")
        if key is not None and key.get_text(strip=True) == question:
            link = row.select_one(".govuk-summary-list__actions a")
            assert link is not None, question
            return str(link["href"])
    raise AssertionError(f"no answer to {question!r}")


def test_back_and_change_keep_every_answer(client: PageClient) -> None:
    choose(client, "neighbour_dispute")
    client.post_form("/report/what", factories.WHAT["neighbour_dispute"])
    client.post_form("/report/details", factories.DETAILS["neighbour_dispute"])

    # Back to the first pages: everything typed is still there.
    what = client.get("/report/what")
    assert what.value("description") == factories.WHAT["neighbour_dispute"]["description"]
    assert what.value("types") == ["boundary", "parking"]
    assert client.get("/report/details").value("willing_to_mediate") == "yes"

    fill_until(client, "neighbour_dispute")
    check = client.get("/report/check")
    assert change_link(check, "How often") == "/report/when?change=1"

    where = client.get("/report/where?change=1")
    assert where.value("address") == "14 Station Road, Dronfield"
    assert where.value("postcode") == "S18 1AB"
    assert where.value("ward") == "Dronfield North"
    when = client.get("/report/when?change=1")
    assert when.value("frequency") == "weekly"

    changed = client.post_form("/report/when?change=1", {**factories.WHEN, "frequency": "daily"})
    assert changed.h1 == "Check your answers before sending your report"
    assert "Every day, or most days" in changed.text()
    assert "A boundary, fence or wall" in changed.text()
    assert "14 Station Road, Dronfield" in changed.text()


def test_each_change_link_goes_to_the_page_that_asks_the_question(client: PageClient) -> None:
    fill_until(client, "asb")
    client.post_form(
        "/report/details?change=1", {"perpetrators_known": "yes", "perpetrator_is_neighbour": "no"}
    )
    check = client.get("/report/check")

    assert change_link(check, "What it is") == "/report/what?change=1"
    assert change_link(check, "What is happening") == "/report/what?change=1"
    assert change_link(check, "Do you know who is responsible?") == "/report/details?change=1"
    assert (
        change_link(check, "Is the person responsible one of your neighbours?") == "/report/details?change=1"
    )
    assert change_link(check, "Where") == "/report/where?change=1"
    assert change_link(check, "Postcode") == "/report/where?change=1"
    assert change_link(check, "When it started") == "/report/when?change=1"
    assert change_link(check, "How often") == "/report/when?change=1"
    assert change_link(check, "Reported in the last 6 months") == "/report/when?change=1"


@pytest.mark.parametrize(
    ("field", "slug"),
    [
        ("description", "what"),
        ("asb", "what"),
        ("asb.types", "what"),
        ("dispute.types[2]", "what"),
        ("asb.perpetrators_known", "details"),
        ("asb.willing_to_mediate", "details"),
        ("dispute.legal_action_underway", "details"),
        ("concern.perpetrator_lives_at_address", "details"),
        ("location", "where"),
        ("location.postcode", "where"),
        ("started", "when"),
        ("frequency", "when"),
        ("previous_reports", "when"),
        ("harm.feel_unsafe", "impact"),
        ("reporter.email", "about-you"),
        ("submitted_at", "what"),
    ],
)
def test_a_problem_with_an_answer_sends_the_resident_to_the_page_that_asks_it(field: str, slug: str) -> None:
    assert page_for_field(field) == slug


def test_check_your_answers_has_a_section_for_each_page(client: PageClient) -> None:
    check = fill_until(client, "safety_concern")
    assert [heading.get_text(strip=True) for heading in check.soup.select("h2.govuk-heading-m")] == [
        "What is happening?",
        "About the person involved",
        "Where do you need help to feel safe?",
        "When has this happened?",
        "How is it affecting you?",
        "Add photos or documents (optional)",
        "About you and how we can contact you",
        "Now send your report",
    ]


@pytest.mark.parametrize(
    ("slug", "answers"),
    [
        ("what", {"types": ["drugs"], "description": "Dealing from a car every evening."}),
        ("details", {"perpetrators_known": "yes", "perpetrator_is_neighbour": "no"}),
    ],
)
def test_changing_one_page_of_a_kinds_answers_keeps_the_other_pages(
    client: PageClient, slug: str, answers: dict[str, object]
) -> None:
    fill_until(client, "asb")
    check = client.post_form(f"/report/{slug}?change=1", answers)
    assert check.h1 == "Check your answers before sending your report"

    what = client.get("/report/what")
    details = client.get("/report/details")
    expected_what = answers if slug == "what" else factories.WHAT["asb"]
    expected_details = answers if slug == "details" else factories.DETAILS["asb"]
    assert what.value("types") == expected_what["types"]
    assert what.value("description") == expected_what["description"]
    for question, answer in expected_details.items():
        assert details.value(question) == answer, question


def test_a_resident_who_says_email_is_unsafe_is_never_emailed(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    confirmation = submit(
        client, "safety_concern", about=factories.about_for("safety_concern", safe_to_email="no")
    )

    assert "We have not sent you an email" in confirmation.text()
    assert mailbox.messages == []
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []
        report = db.session.scalars(select(Report)).one()
        assert report.safe_to_email is False


@pytest.mark.parametrize(
    "safe_way",
    [
        pytest.param(
            {"email": "", "safe_to_email": None, "safe_to_phone": "no", "text_ok": "yes"}, id="a-text"
        ),
        pytest.param(
            {
                "safe_to_email": "no",
                "phone": "",
                "safe_to_phone": None,
                "text_ok": None,
                "safe_alternative_contact": "My sister Jo, 07700 900456",
            },
            id="an-alternative-contact",
        ),
    ],
)
def test_a_safe_text_or_alternative_contact_is_a_way_to_reach_the_resident(
    app: Flask, client: PageClient, mailbox: MailCatcher, safe_way: dict[str, Any]
) -> None:
    confirmation = submit(client, "safety_concern", about=factories.about_for("safety_concern", **safe_way))

    assert "We aim to contact you by" in confirmation.text()
    assert "You did not give us a safe way to contact you" not in confirmation.text()
    assert mailbox.messages == []
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert "no_contact" not in report.flags


def test_an_anonymous_report_is_stored_without_contact_details(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    # Contact details typed before choosing to stay anonymous are not kept.
    confirmation = submit(
        client, "asb", about=factories.about(anonymous="yes", safe_to_email=None, safe_to_phone=None)
    )

    assert confirmation.h1.startswith("Report sent")
    assert mailbox.messages == []
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert report.anonymous
        assert (report.reporter_name, report.reporter_email, report.reporter_phone) == ("", "", "")
        assert (report.email_key, report.phone_key) == ("", "")


def test_a_resident_with_only_a_phone_number_gets_no_email(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    confirmation = submit(client, "asb", about=factories.about(email="", safe_to_email=None))
    assert "We have not sent you an email" in confirmation.text()
    assert mailbox.messages == []


INFORMATION_PAGES = (
    "/",
    "/accessibility",
    "/privacy",
    "/cookies",
    "/leaving-quickly",
    "/report",
    "/report/continue",
)


def _exit_help_linked(page: Page) -> bool:
    return page.soup.select_one('.portal-exit-help a[href="/leaving-quickly"]') is not None


@pytest.mark.parametrize("kind", ["asb", "neighbour_dispute", "safety_concern"])
def test_every_resident_page_carries_exit_this_page_and_how_to_leave_quickly(app: Flask, kind: str) -> None:
    """Anyone reporting may be watched, whatever they report: from the start page to the confirmation."""
    client = PageClient(app.test_client())
    for url in INFORMATION_PAGES:
        page = client.get(url)
        assert page.has_exit_this_page() and _exit_help_linked(page), url
    choose(client, kind)
    for slug in ("what", "where", "impact", "evidence", "about-you"):
        page = client.get(f"/report/{slug}")
        assert page.has_exit_this_page() and _exit_help_linked(page), slug
    fill_until(client, kind)
    assert client.get("/report/check").has_exit_this_page()
    confirmation = client.post_form("/report/check")
    assert confirmation.h1 == "Report sent" and confirmation.has_exit_this_page()


def test_the_leaving_quickly_page_explains_the_exit_back_history_and_private_browsing(
    client: PageClient,
) -> None:
    text = client.get("/leaving-quickly").text()
    for told in ("Shift key 3 times", "Back button", "clear your browsing history", "private window"):
        assert told in text, told


def test_officer_pages_have_no_exit_button(client: PageClient) -> None:
    assert not client.get("/officer/sign-in").has_exit_this_page()


def test_evidence_is_stored_outside_static_and_kept_with_the_report(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    token = client.get("/report/evidence").csrf_token()
    page = client.post(
        "/report/evidence",
        {"csrf_token": token, "files": (io.BytesIO(PNG), "front door.png"), "upload": "Upload file"},
        content_type="multipart/form-data",
    )
    assert not page.errors
    assert "front door.png" in page.text()
    client.post_form("/report/evidence", {"continue": "continue"})
    client.post_form("/report/about-you", factories.about())
    client.post_form("/report/check")

    with app.app_context():
        attachment = db.session.scalars(select(Attachment)).one()
        report = db.session.scalars(select(Report)).one()
        assert attachment.report_id == report.id and attachment.draft_id is None
        assert attachment.content_type == "image/png"
        stored = Path(app.config["UPLOAD_FOLDER"]) / attachment.storage_name
        assert stored.read_bytes() == PNG
        assert "front door" not in attachment.storage_name
        static = Path(app.static_folder or "").resolve()
        assert static not in stored.resolve().parents


def test_a_second_press_of_send_does_not_make_a_second_report(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb")
    token = client.get("/report/check").csrf_token()
    first = client.post("/report/check", {"csrf_token": token})
    second = client.post("/report/check", {"csrf_token": token})
    assert first.h1 == second.h1 == "Report sent"
    with app.app_context():
        assert len(db.session.scalars(select(Report)).all()) == 1


def _reference(page: Page) -> str:
    return page.soup.select_one(".govuk-panel__body strong").get_text(strip=True)


def test_a_double_click_without_javascript_still_shows_the_reference(app: Flask, client: PageClient) -> None:
    # Both presses leave the browser carrying the same cookie, from before the first was answered.
    fill_until(client, "asb", about=factories.about(safe_to_email="no"))
    token = client.get("/report/check").csrf_token()
    before = client.client.get_cookie("session")
    assert before is not None
    first = client.post("/report/check", {"csrf_token": token})
    client.client.set_cookie("session", before.value)
    second = client.post("/report/check", {"csrf_token": token})

    assert second.h1 == "Report sent"
    assert _reference(second) == _reference(first)
    with app.app_context():
        assert len(db.session.scalars(select(Report)).all()) == 1


def test_a_resident_whose_answer_to_send_was_lost_is_shown_the_reference_on_opening_the_page_again(
    app: Flask, client: PageClient
) -> None:
    """The report was stored but the page never arrived (a proxy's 502, a dropped line): the
    browser still carries the cookie from before, and the resident opens the check page again."""
    fill_until(client, "asb", about=factories.about(safe_to_email="no"))
    token = client.get("/report/check").csrf_token()
    before = client.client.get_cookie("session")
    assert before is not None
    sent = client.post("/report/check", {"csrf_token": token})
    client.client.set_cookie("session", before.value)

    again = client.get("/report/check")

    assert again.h1 == "Report sent"
    assert _reference(again) == _reference(sent)
    with app.app_context():
        assert len(db.session.scalars(select(Report)).all()) == 1


def test_two_presses_of_send_at_the_same_moment_make_one_report(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb")
    token = client.get("/report/check").csrf_token()
    cookie = client.client.get_cookie("session")
    assert cookie is not None
    browsers = [PageClient(app.test_client()) for _ in range(4)]
    for browser in browsers:
        browser.client.set_cookie("session", cookie.value)
    barrier = threading.Barrier(len(browsers))
    pages: list[Page] = []

    def press(browser: PageClient) -> None:
        barrier.wait()
        pages.append(browser.post("/report/check", {"csrf_token": token}))

    threads = [threading.Thread(target=press, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [page.h1 for page in pages] == ["Report sent"] * len(browsers)
    assert len({_reference(page) for page in pages}) == 1
    with app.app_context():
        assert len(db.session.scalars(select(Report)).all()) == 1
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1, "one acknowledgement"
