"""Public forms resist abuse: per-address limits with a friendly page that keeps the draft, a
honeypot, a request size limit; emails cannot carry smuggled headers; logs name no one."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.logs import JsonFormatter, configure_logging, scrub
from portal.mail.outbox import HeaderInjectionError, queue_email
from portal.models import Draft, Report
from portal.public.journey import PAGES
from tests import factories
from tests.cases import make_case
from tests.closing import close, question_link
from tests.conftest import mail_worker_pass
from tests.helpers import PageClient
from tests.journey import answer_pages, choose, fill_until, submit
from tests.officers import Account, sign_in

PAGE_SLUGS = [page.slug for page in PAGES]


def _reports(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report)) or 0


def _back_link(page: Any) -> str:
    link = next(a for a in page.soup.find_all("a") if a.get_text(strip=True) == "Go back to your report")
    return str(link["href"])


# --- Rate limits on public forms -------------------------------------------------------------


def test_too_many_reports_from_one_address_get_a_friendly_page_and_keep_the_draft(
    app: Flask, client: PageClient
) -> None:
    app.config["SUBMISSION_LIMIT_PER_ADDRESS"] = "2 per hour"
    try:
        assert submit(client, "asb").h1 == "Report sent"
        assert submit(client, "neighbour_dispute").h1 == "Report sent"
        fill_until(client, "safety_concern")
        page = client.post_form("/report/check")
    finally:
        app.config["SUBMISSION_LIMIT_PER_ADDRESS"] = "10 per hour"

    assert page.status == 429
    assert page.h1 == "You have sent a lot in a short time"
    assert "Your answers are saved" in page.text()
    assert "call 999" in page.text(), "emergency numbers on the way out"
    assert page.soup.select_one(".govuk-exit-this-page") is not None, "a safety concern keeps the exit"
    assert _back_link(page) == "/report/check"
    assert "Retry-After" in page.response.headers
    assert _reports(app) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 1, "the draft is kept"
    # Once the hour has passed, the same draft is sent as it was.
    with app.app_context():
        from portal.extensions import limiter

        limiter.reset()
    assert client.post_form("/report/check").h1 == "Report sent"
    assert _reports(app) == 3


def test_checking_answers_again_does_not_count_as_sending(app: Flask, client: PageClient) -> None:
    app.config["SUBMISSION_LIMIT_PER_ADDRESS"] = "1 per hour"
    try:
        fill_until(client, "asb")
        for _ in range(3):
            assert client.get("/report/check").status == 200
        assert client.post_form("/report/check").h1 == "Report sent"
    finally:
        app.config["SUBMISSION_LIMIT_PER_ADDRESS"] = "10 per hour"


def test_another_address_can_still_report(app: Flask, client: PageClient) -> None:
    app.config["SUBMISSION_LIMIT_PER_ADDRESS"] = "1 per hour"
    try:
        submit(client, "asb")
        fill_until(client, "asb")
        assert client.post_form("/report/check").status == 429
        neighbour = app.test_client()
        neighbour.environ_base["REMOTE_ADDR"] = "203.0.113.50"
        assert submit(PageClient(neighbour), "asb").h1 == "Report sent"
    finally:
        app.config["SUBMISSION_LIMIT_PER_ADDRESS"] = "10 per hour"


def test_a_flood_of_form_posts_is_paused_without_losing_answers(app: Flask, client: PageClient) -> None:
    app.config["PUBLIC_FORM_LIMIT_PER_ADDRESS"] = "6 per hour"
    try:
        choose(client, "asb")  # 1
        answer_pages(client, "asb", through="impact")  # what, details, where, when, impact: 2 to 6
        page = client.post_form("/report/evidence", {"continue": "continue"})
    finally:
        app.config["PUBLIC_FORM_LIMIT_PER_ADDRESS"] = "300 per hour"
    assert page.status == 429
    assert _back_link(page) == "/report/evidence"
    assert client.get("/report/what").value("description") == factories.WHAT["asb"]["description"]


# --- Honeypot --------------------------------------------------------------------------------


def test_every_public_form_carries_a_hidden_honeypot(
    app: Flask, client: PageClient, supervisor: Account
) -> None:
    pages = [client.get("/report")]
    choose(client, "asb")
    for slug in PAGE_SLUGS:
        fill_until(client, "asb", stop_before=slug)
        pages.append(client.get(f"/report/{slug}"))
    fill_until(client, "asb")
    pages.append(client.get("/report/check"))
    pages += [
        client.get(path) for path in ("/feedback", "/report/continue", "/your-report", "/your-report/code")
    ]
    reference = make_case(app)
    close(app, reference, supervisor)
    pages.append(client.get(question_link(app, reference)))
    for page in pages:
        trap = page.soup.select_one(".portal-honeypot[aria-hidden=true] input[name=website]")
        assert trap is not None, page.title
        assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"


def test_a_filled_honeypot_sends_nothing(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb")
    page = client.post_form("/report/check", {"website": "http://cheap-pills.example"})
    assert page.title.startswith("Error:")
    assert page.errors == ["We could not accept this page. Check your answers and try again."]
    assert _reports(app) == 0
    assert client.post_form("/report/check").h1 == "Report sent", "a person who tries again gets through"


def test_a_filled_honeypot_saves_no_answer(client: PageClient) -> None:
    choose(client, "asb")
    page = client.post_form("/report/what", {**factories.WHAT["asb"], "website": "spam"})
    assert page.errors == ["We could not accept this page. Check your answers and try again."]
    assert client.get("/report/details").h1 == client.get("/report/what").h1, "still on the first question"


# --- Request size ----------------------------------------------------------------------------


def test_a_request_over_the_size_limit_is_refused_politely(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    token = client.get("/report/evidence").csrf_token()
    big = io.BytesIO(b"\xff\xd8\xff" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    page = client.post(
        "/report/evidence", {"csrf_token": token, "files": (big, "big.jpg"), "upload": "Upload file"}
    )
    assert page.status == 413
    assert client.get("/report/what").value("description") == factories.WHAT["asb"]["description"]


# --- Email headers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recipient", "subject"),
    [
        ("resident@example.org\r\nBcc: everyone@example.org", "Your report"),
        ("resident@example.org", "Your report\nBcc: everyone@example.org"),
        ("resident@example.org", "Your report\rX-Injected: yes"),
    ],
)
def test_a_line_break_in_an_email_header_is_refused(app: Flask, recipient: str, subject: str) -> None:
    with (
        app.test_request_context(),
        pytest.raises(HeaderInjectionError, match="must not contain a line break"),
    ):
        queue_email(
            purpose="acknowledgement",
            recipient=recipient,
            subject=subject,
            template="acknowledgement",
            context={},
        )


def test_an_email_address_with_a_line_break_never_reaches_the_outbox(app: Flask, client: PageClient) -> None:
    choose(client, "asb")
    fill_until(client, "asb", stop_before="about-you")
    about = factories.about_for("asb", email="resident@example.org\r\nBcc: everyone@example.org")
    page = client.post_form("/report/about-you", about)
    assert page.errors, "the address is refused on the form"
    assert _reports(app) == 0


# --- Logs ------------------------------------------------------------------------------------


@pytest.fixture
def log_stream(app: Flask) -> Iterator[io.StringIO]:
    """The portal's log, written through the handler production uses, into memory."""
    stream = io.StringIO()
    configure_logging(app, stream)
    yield stream
    configure_logging(app)


def test_logs_are_json_lines_in_utc_that_name_no_one(
    app: Flask, client: PageClient, officer: Account, log_stream: io.StringIO
) -> None:
    secrets = {
        "name": factories.about_for("asb")["name"],
        "email": factories.about_for("asb")["email"],
        "phone": factories.about_for("asb")["phone"],
        "description": factories.WHAT["asb"]["description"],
        "password": "not-the-password-at-all",
        "officer email": officer.email,
    }
    submit(client, "asb")
    client.post_form("/officer/sign-in", {"email": officer.email, "password": secrets["password"]})
    client.post_form("/officer/sign-in", {"email": "nobody@council.example", "password": secrets["password"]})
    sign_in(client, officer)
    with client.client.session_transaction() as session:
        secrets["session cookie"] = str(session.get("_user_id"))
    client.get("/officer/accounts")  # an officer may not manage accounts: refused, and logged
    PageClient(client.app.test_client()).get_raw("/officer/")  # not signed in: refused, and logged
    client.post("/report", {"kind": "asb"})  # no CSRF token: refused, and logged

    text = log_stream.getvalue()
    entries: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines()]
    assert entries, "something was logged"
    for entry in entries:
        assert entry["time"].endswith("+00:00"), "UTC"
    for what, value in secrets.items():
        assert value.lower() not in text.lower(), f"the log holds a {what}"

    events = [(e.get("event"), e.get("outcome"), e.get("reason")) for e in entries]
    assert events.count(("sign_in_password", "refused", None)) == 2, "both failed attempts"
    assert ("sign_in_password", "accepted", None) in events
    assert ("sign_in", "succeeded", None) in events
    assert ("access", "refused", "needs administer") in events
    assert ("access", "refused", "not signed in") in events
    assert ("form", "refused", "CSRF token missing or invalid") in events
    refused = next(e for e in entries if e.get("reason") == "needs administer")
    assert refused["account"] == officer.id and refused["path"] == "/officer/accounts"
    assert len(refused["address"]) == 16 and refused["address"] != "127.0.0.1", "a hash, not the address"


def test_a_failed_email_is_logged_with_its_id_and_error_but_no_address(
    app: Flask, client: PageClient, smtp_server: Any, log_stream: io.StringIO
) -> None:
    smtp_server.stop()  # mail is down
    submit(client, "asb")
    mail_worker_pass(app)
    smtp_server.start()
    failures = [
        entry
        for entry in map(json.loads, log_stream.getvalue().splitlines())
        if entry["message"] == "outbox message not sent"
    ]
    assert failures, "the failed send is logged"
    assert isinstance(failures[0]["outbox_id"], int) and failures[0]["attempts"] == 1
    assert failures[0]["error"]
    assert factories.about_for("asb")["email"] not in log_stream.getvalue()


def test_a_queue_export_is_logged_without_what_was_searched_for(
    app: Flask, officer: Account, officer_client: PageClient, log_stream: io.StringIO
) -> None:
    officer_client.get_raw("/officer/queue.csv?q=Sam+Resident&ward=Dronfield+North")
    [entry] = [
        e for e in map(json.loads, log_stream.getvalue().splitlines()) if e["message"] == "queue exported"
    ]
    assert entry["account"] == officer.id and entry["searched"] is True and entry["cases"] == 0
    assert "Dronfield North" in entry["filters"]
    assert "Sam" not in log_stream.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sent to jo.hughes@example.org today", "sent to [email] today"),
        ("call 07700 900123 or +44 7700 900123", "call [phone] or [phone]"),
        ("report DIO-2026-000123 for ward 7", "report DIO-2026-000123 for ward 7"),
    ],
)
def test_anything_shaped_like_an_email_or_phone_number_is_scrubbed(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_an_unexpected_error_is_logged_without_the_resident_s_words(app: Flask) -> None:
    record = logging.LogRecord(
        "portal", logging.ERROR, __file__, 1, "failed for %s", ("sam@example.org",), exc_info=None
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed for [email]"
    assert entry["level"] == "error"
