"""A signed-in resident adds an incident to their own case: kept with it, never a new report; bad
input is refused with its message and nothing typed is lost; a closed case points to a new report."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Attachment, AuditEvent, Incident, OutboxMessage, Reassessment, Report
from portal.models.audit import AuditAction
from tests.conftest import MailCatcher
from tests.evidence_files import MB, camera_jpeg
from tests.helpers import PageClient, today
from tests.officers import Account
from tests.public.test_your_report import resident_case, signed_in

URL = "/your-report/incident"


def answers(**changes: Any) -> dict[str, Any]:
    day = today() - timedelta(days=1)
    values: dict[str, Any] = {
        "what_happened": "They kicked my door and shouted at me at 11pm.",
        "occurred_on": [str(day.day), str(day.month), str(day.year)],
        "time_of_day": "about 11pm",
        "who": "The two men from number 4",
        "harm": ["violence_or_threats", "feel_unsafe"],
        "effect": "I could not sleep afterwards.",
    }
    values.update(changes)
    return values


def _counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report)) or 0, db.session.scalar(
            select(func.count()).select_from(Incident)
        ) or 0


def test_an_incident_is_added_to_the_same_case_and_confirmed_in_plain_words(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    case_page = signed_in(app, client, mailbox, reference)
    link = case_page.soup.select_one(f'a[href="{URL}"]')
    assert link is not None and "Add an incident" in link.get_text()
    reports_before, _ = _counts(app)

    page = client.post_form(URL, answers())
    assert page.h1 == "Incident added to your report"
    assert reference in page.text() and "You do not need to make a new report" in page.text()
    assert page.has_exit_this_page()
    assert _counts(app) == (reports_before, 1)
    with app.app_context():
        incident = db.session.scalars(select(Incident)).one()
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        assert incident.report_id == report.id
        assert incident.harm["violence_or_threats"] and not incident.harm["targeted"]
        assert incident.time_of_day == "about 11pm"
        entry = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.INCIDENT_ADDED)
        ).one()
        assert entry.actor_id is None and entry.report_id == report.id

    shown = client.get("/your-report/case")
    assert "They kicked my door and shouted at me at 11pm." in shown.text()


def test_an_incident_dated_tomorrow_is_refused_and_what_was_typed_is_kept(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    tomorrow = today() + timedelta(days=1)
    page = client.post_form(
        URL, answers(occurred_on=[str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)])
    )
    assert page.status == 400
    assert "The date it happened must be today or in the past" in page.text()
    assert "They kicked my door and shouted at me at 11pm." in page.html
    assert "The two men from number 4" in page.html
    assert _counts(app)[1] == 0


def test_an_incident_dated_long_before_the_report_is_refused(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    page = client.post_form(URL, answers(occurred_on=["1", "1", "2025"]))
    assert page.status == 400
    assert "The date it happened must be on or after 2 May 2026" in page.text()
    assert _counts(app)[1] == 0


def test_an_incident_without_words_or_a_date_is_refused_saying_what_to_enter(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    page = client.post_form(URL, answers(what_happened="   ", occurred_on=["", "", ""]))
    assert page.status == 400
    assert "Enter what happened" in page.text() and "Enter the date it happened" in page.text()
    assert "about 11pm" in page.html
    assert _counts(app)[1] == 0


def test_a_file_too_big_is_refused_and_nothing_is_kept(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    big = b"\xff\xd8\xff\xe0" + b"0" * (11 * MB)
    folder = Path(app.config["UPLOAD_FOLDER"])
    files_before = set(folder.glob("*"))
    page = client.post_form(URL, {**answers(), "files": (io.BytesIO(big), "huge.jpg")})
    assert page.status == 400
    assert "huge.jpg must be smaller than 10 MB" in page.text()
    assert "They kicked my door" in page.html
    assert _counts(app)[1] == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert set(folder.glob("*")) == files_before


def test_a_phone_photo_of_several_megabytes_is_kept_with_the_incident_as_the_cases_evidence(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    photo = camera_jpeg(3 * MB, (3264, 2448), quality=90, seed=11)
    page = client.post_form(URL, {**answers(), "files": (io.BytesIO(photo), "IMG_2041.jpg")})
    assert page.h1 == "Incident added to your report"
    with app.app_context():
        [attachment] = db.session.scalars(select(Attachment)).all()
        incident = db.session.scalars(select(Incident)).one()
        assert attachment.incident_id == incident.id and attachment.report_id == incident.report_id
        assert attachment.content_type == "image/jpeg" and attachment.original_name == "IMG_2041.jpg"


def test_a_closed_case_says_it_is_closed_and_points_to_a_new_report(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app, status="closed")
    case_page = signed_in(app, client, mailbox, reference)
    assert case_page.soup.select_one(f'a[href="{URL}"]') is None
    page = client.get(URL)
    assert page.h1 == "Your report is closed"
    assert page.soup.select_one('a[href="/"]') is not None and "make a new report" in page.text()
    assert page.soup.select_one('textarea[name="what_happened"]') is None
    # A form opened before the case was closed, sent after: still refused, with the same page.
    token = client.get("/your-report/case").csrf_token()
    refused = client.post(URL, {"csrf_token": token, **answers()})
    assert refused.h1 == "Your report is closed"
    assert _counts(app)[1] == 0


def test_adding_an_incident_needs_a_sign_in(client: PageClient) -> None:
    response = client.get_raw(URL)
    assert response.status_code == 302 and response.headers["Location"] == "/your-report"


def test_the_honeypot_refuses_an_incident(app: Flask, client: PageClient, mailbox: MailCatcher) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    page = client.post_form(URL, {**answers(), "website": "http://spam.example"})
    assert page.status == 400
    assert _counts(app)[1] == 0


def test_the_case_officer_is_emailed_without_case_detail(
    app: Flask, client: PageClient, mailbox: MailCatcher, officer: Account
) -> None:
    reference = resident_case(app, assignee_id=officer.id)
    signed_in(app, client, mailbox, reference)
    client.post_form(URL, answers())
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.purpose == "incident_added")
        ).one()
        assert message.recipient == officer.email
        assert reference in message.body_text and "/officer/cases/" in message.body_text
        for detail in ("kicked", "number 4", "11pm", "Park Road", "Sam"):
            assert detail not in message.body_text + message.body_html + message.subject


def test_adding_an_incident_is_limited_per_case(app: Flask, client: PageClient, mailbox: MailCatcher) -> None:
    app.config["INCIDENT_LIMIT_PER_CASE"] = "2 per day"
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    for _ in range(2):
        client.post_form(URL, answers())
    token = client.get(URL).csrf_token()
    response = client.post_raw(URL, {"csrf_token": token, **answers()})
    assert response.status_code == 429
    assert _counts(app)[1] == 2


def test_a_violent_incident_raises_the_case_and_alerts_the_duty_officer_once(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    client.post_form(URL, answers())
    client.post_form(URL, answers(what_happened="It happened again.", harm=[]))
    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        first = db.session.scalars(select(Reassessment).order_by(Reassessment.id)).all()
        alerts = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.purpose == "safeguarding_alert")
        ).all()
        # The first decision stands; each later assessment is stored beside it.
        assert (report.risk_level, report.safeguarding, report.risk_score) == ("standard", False, 3)
        assert report.raised_safeguarding is True
        assert [row.risk_level for row in first] == ["high", "high"]
        assert first[0].change.startswith("raised to high: at least high: violence or threats")
        assert len(alerts) == 1
