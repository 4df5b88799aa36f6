"""Residents tell us what they thought of the service, without saying who they are; officers read it."""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
from dateutil.relativedelta import relativedelta
from flask import Flask
from sqlalchemy import inspect, select

from portal.extensions import db
from portal.feedback.operations import PAGE_SIZE, record_feedback
from portal.models import Feedback
from portal.models.types import utcnow
from portal.privacy.retention import REMOVED, apply_retention
from portal.public.journey_views import SUBMITTED_AT_KEY
from tests.helpers import PageClient
from tests.journey import submit
from tests.officers import make_account, sign_in

GIVEN = {"satisfaction": "satisfied", "comment": "The questions were clear.\nIt took five minutes."}


def stored(app: Flask) -> list[Feedback]:
    with app.app_context():
        rows = db.session.scalars(select(Feedback).order_by(Feedback.id)).all()
        db.session.expunge_all()
        return list(rows)


def test_the_phase_banner_links_to_the_feedback_page(client: PageClient) -> None:
    banner = client.get("/").soup.select_one(".govuk-phase-banner")
    assert banner is not None
    link = banner.find("a", string="feedback")
    assert link is not None and link["href"] == "/feedback"


def test_the_confirmation_and_the_sent_page_ask_what_the_resident_thought(client: PageClient) -> None:
    confirmation = submit(client, "asb")
    link = confirmation.soup.find("a", string="What did you think of this service?")
    assert link is not None and link["href"] == "/feedback"

    with client.client.session_transaction() as session:
        session[SUBMITTED_AT_KEY] = int(time.time()) - 31 * 60
    later = client.get("/report/confirmation")
    assert later.h1 == "Your report was sent"
    link = later.soup.find("a", string="What did you think of this service?")
    assert link is not None and link["href"] == "/feedback"


def test_the_feedback_page_asks_for_a_rating_and_an_optional_comment_and_nothing_personal(
    client: PageClient,
) -> None:
    page = client.get("/feedback")
    assert page.h1 == "Give feedback on Report anti-social behaviour or a safety concern"
    assert page.has_exit_this_page()
    fields = {
        control["name"]
        for control in page.soup.select("form[method=post] input, form[method=post] textarea")
        if control.get("type") != "hidden" and control.find_parent(class_="portal-honeypot") is None
    }
    assert fields == {"satisfaction", "comment"}, "besides the honeypot, hidden from people"
    legend = page.soup.select_one("fieldset legend").get_text(" ", strip=True)
    assert legend == "Overall, how did you feel about the service you received today?"
    assert [radio["value"] for radio in page.soup.select("input[name=satisfaction]")] == [
        "very_satisfied",
        "satisfied",
        "neither",
        "dissatisfied",
        "very_dissatisfied",
    ]
    label = page.soup.find("label", attrs={"for": "comment"}).get_text(" ", strip=True)
    assert label == "How could we improve this service? (optional)"
    hint = page.soup.select_one("#comment-hint").get_text(" ", strip=True)
    assert "Do not include personal or financial information" in hint


def test_feedback_is_stored_without_anything_that_says_who_sent_it(app: Flask, client: PageClient) -> None:
    page = client.post_form("/feedback", GIVEN)
    assert page.path == "/feedback/sent"
    assert page.h1 == "Thank you for your feedback"
    [row] = stored(app)
    assert row.satisfaction == "satisfied"
    assert row.comment == GIVEN["comment"]
    with app.app_context():
        columns = {column["name"] for column in inspect(db.engine).get_columns("feedback")}
    assert columns == {"id", "submitted_on", "satisfaction", "comment"}


def test_feedback_keeps_only_the_day_it_was_sent_on_the_london_clock(app: Flask) -> None:
    """The time of day, matched with a web server's logs, could point to the resident."""
    with app.app_context():
        record_feedback("satisfied", "", now=datetime(2026, 7, 1, 23, 30, 5, tzinfo=UTC))  # 00:30 in London
        record_feedback("neither", "", now=datetime(2026, 12, 4, 9, 15, 42, tzinfo=UTC))
    assert [row.submitted_on for row in stored(app)] == [date(2026, 7, 2), date(2026, 12, 4)]


def test_a_rating_alone_is_enough(app: Flask, client: PageClient) -> None:
    page = client.post_form("/feedback", {"satisfaction": "very_dissatisfied"})
    assert page.path == "/feedback/sent"
    assert [(row.satisfaction, row.comment) for row in stored(app)] == [("very_dissatisfied", "")]


def test_feedback_without_a_rating_is_refused_and_keeps_the_comment(app: Flask, client: PageClient) -> None:
    page = client.post_form("/feedback", {"comment": "Too long"})
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.errors == ["Select how you felt about the service"]
    assert page.value("comment") == "Too long"
    assert stored(app) == []


def test_a_comment_over_1200_characters_is_refused(app: Flask, client: PageClient) -> None:
    page = client.post_form("/feedback", {"satisfaction": "satisfied", "comment": "a" * 1201})
    assert page.errors == ["Your feedback must be 1,200 characters or fewer"]
    assert stored(app) == []


def test_a_made_up_rating_is_refused(app: Flask, client: PageClient) -> None:
    page = client.post_form("/feedback", {"satisfaction": "delighted"})
    assert page.status == 200 and page.errors
    assert stored(app) == []


def test_feedback_without_the_forms_token_is_refused(app: Flask, client: PageClient) -> None:
    client.get("/feedback")
    response = client.post_raw("/feedback", GIVEN)
    assert response.status_code == 400
    assert stored(app) == []


def test_feedback_with_the_honeypot_filled_in_is_refused_as_the_report_pages_refuse_it(
    app: Flask, client: PageClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="portal.security"):
        page = client.post_form("/feedback", {**GIVEN, "website": "http://cheap-pills.example"})
    assert page.status == 200 and page.title.startswith("Error:")
    assert page.errors == ["We could not accept this page. Check your answers and try again."]
    assert stored(app) == []
    assert [record.getMessage() for record in caplog.records if record.name == "portal.security"] == [
        "honeypot: refused"
    ]
    again = client.post_form("/feedback", GIVEN)
    assert again.path == "/feedback/sent", "a person who tries again gets through"
    assert len(stored(app)) == 1


def test_feedback_counts_towards_the_residents_form_limit(app: Flask, client: PageClient) -> None:
    app.config["PUBLIC_FORM_LIMIT_PER_ADDRESS"] = "2 per hour"
    try:
        client.post_form("/report", {"kind": "asb"})  # the same limit as the report's pages
        client.post_form("/feedback", GIVEN)
        page = client.post_form("/feedback", GIVEN)
    finally:
        app.config["PUBLIC_FORM_LIMIT_PER_ADDRESS"] = "300 per hour"
    assert page.status == 429
    assert len(stored(app)) == 1


# --- The back-office ------------------------------------------------------------------------


def test_an_officer_reads_feedback_newest_first_a_page_at_a_time(app: Flask, client: PageClient) -> None:
    start = utcnow() - timedelta(days=1)
    with app.app_context():
        for number in range(PAGE_SIZE + 2):
            record_feedback("neither", f"Comment number {number}", now=start + timedelta(minutes=number))
    sign_in(client, make_account(app, "officer"))

    first = client.get("/officer/feedback")
    assert first.h1 == "Residents' feedback"
    nav = first.soup.select_one("nav.govuk-service-navigation")
    assert nav is not None and nav.find("a", string="Feedback")["href"] == "/officer/feedback"
    rows = first.soup.select("tbody tr")
    assert len(rows) == PAGE_SIZE
    assert f"Comment number {PAGE_SIZE + 1}" in rows[0].get_text()
    assert "Neither satisfied nor dissatisfied" in rows[0].get_text()
    next_link = first.soup.select_one(".govuk-pagination__next a")
    assert next_link is not None and "Next page" in next_link.get_text()

    second = client.get(str(next_link["href"]))
    texts = [row.get_text(" ", strip=True) for row in second.soup.select("tbody tr")]
    assert len(texts) == 2
    assert "Comment number 1" in texts[0] and "Comment number 0" in texts[1]
    assert second.soup.select_one(".govuk-pagination__next") is None
    first_page = second.soup.select_one(".govuk-pagination__prev a")
    assert first_page is not None and first_page["href"] == "/officer/feedback"


def test_an_officer_sees_the_day_feedback_was_sent_and_no_time(app: Flask, client: PageClient) -> None:
    with app.app_context():
        record_feedback("satisfied", "Clear questions", now=datetime(2026, 12, 4, 15, 5, tzinfo=UTC))
    sign_in(client, make_account(app, "officer"))
    sent = client.get("/officer/feedback").soup.select_one("tbody tr td").get_text(strip=True)
    assert sent == "4 December 2026"


@pytest.mark.parametrize(
    "before", ["99999999999999999999999", "2147483648", "9999999999", "-1", "abc", "1.5", "²", "1e3", ""]
)
def test_a_page_link_that_names_no_row_shows_the_first_page_of_feedback(
    app: Flask, client: PageClient, before: str
) -> None:
    with app.app_context():
        record_feedback("satisfied", "The newest comment")
    sign_in(client, make_account(app, "officer"))
    page = client.get(f"/officer/feedback?before={quote(before)}")
    assert page.status == 200
    assert "The newest comment" in page.soup.select_one("tbody tr").get_text()
    assert page.soup.select_one(".govuk-pagination__prev") is None, "it is the first page"


def test_a_residents_comment_is_shown_as_typed_never_as_markup_or_links(
    app: Flask, client: PageClient
) -> None:
    with app.app_context():
        record_feedback("dissatisfied", "<b>bold</b> see https://example.org")
    sign_in(client, make_account(app, "officer"))
    page = client.get("/officer/feedback")
    cell = page.soup.select_one("tbody tr td:last-child")
    assert cell.find("b") is None and cell.find("a") is None
    assert "<b>bold</b> see https://example.org" in cell.get_text()


def test_feedback_is_for_signed_in_officers_only(client: PageClient) -> None:
    response = client.get_raw("/officer/feedback")
    assert response.status_code == 302 and "/officer/sign-in" in response.location


# --- Retention ------------------------------------------------------------------------------


def test_feedback_comments_go_after_the_retention_period_and_the_ratings_stay(app: Flask) -> None:
    months = app.config["RETENTION_MONTHS"]
    with app.app_context():
        record_feedback(
            "satisfied", "Old words", now=utcnow() - relativedelta(months=months) - timedelta(days=1)
        )
        record_feedback("dissatisfied", "", now=utcnow() - relativedelta(months=months) - timedelta(days=2))
        record_feedback("satisfied", "Recent words", now=utcnow() - relativedelta(months=months - 1))
        first = apply_retention()
        second = apply_retention()

    assert first.feedback_comments_removed == 1
    assert "1 feedback comment removed" in first.summary()
    assert second.feedback_comments_removed == 0
    assert [(row.satisfaction, row.comment) for row in stored(app)] == [
        ("satisfied", REMOVED),
        ("dissatisfied", ""),
        ("satisfied", "Recent words"),
    ]


def test_a_feedback_comment_stays_until_the_whole_day_it_was_sent_is_past_the_retention_period(
    app: Flask,
) -> None:
    months = app.config["RETENTION_MONTHS"]
    now = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    with app.app_context():
        record_feedback("satisfied", "The day before", now=now - relativedelta(months=months, days=1))
        record_feedback("satisfied", "That day", now=now - relativedelta(months=months) + timedelta(hours=1))
        apply_retention(now)
    assert [row.comment for row in stored(app)] == [REMOVED, "That day"]


def test_the_retention_command_reports_feedback_comments_removed(app: Flask) -> None:
    with app.app_context():
        record_feedback("satisfied", "Old words", now=utcnow() - relativedelta(months=30))
    result = app.test_cli_runner().invoke(args=["retention", "apply"])
    assert result.exit_code == 0
    assert result.output.strip().endswith("1 feedback comment removed")
