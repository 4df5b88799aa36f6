"""In a real browser: a resident asks for a sign-in link, opens it from the email in the real
mailbox, sees where their report has got to and an officer's update, adds an incident with a phone
photo of several megabytes, and signs out; their officer sees "New incident" in the queue and the
incident on the case page. One journey, as the check of page titles counts the link with each token
as a page of its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import CaseNote, Report
from portal.triage.calendar import london_today
from tests.cases import make_case
from tests.conftest import MailCatcher
from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer
from tests.e2e.officers import signed_in
from tests.evidence_files import MB, camera_jpeg
from tests.officers import make_account
from tests.processes import wait_for

RESIDENT = "robin.resident@example.org"
INCIDENT = "They threw a bottle at my window and shouted threats."
UPDATE = "A warden will visit the park on Friday evenings this month."
LINK = re.compile(r"https?://[^/\s]+(/your-report/sign-in/[A-Za-z0-9_-]+)")


def test_a_resident_signs_in_by_an_emailed_link_sees_their_report_and_signs_out(
    journey: Callable[..., CheckedPage], app: Flask, mailbox: MailCatcher
) -> None:
    officer = make_account(app, "officer")
    reference = make_case(
        app,
        reporter_email=RESIDENT,
        email_key=RESIDENT,
        safe_to_email=True,
        status="in_progress",
        assignee_id=officer.id,
    )
    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        db.session.add(
            CaseNote(
                report_id=report.id,
                kind="update",
                text=UPDATE,
                author_id=officer.id,
                emailed=True,
                created_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
            )
        )
        db.session.add(
            CaseNote(
                report_id=report.id, kind="note", text="Internal: talk to the PCSO", author_id=officer.id
            )
        )
        db.session.commit()

    tab = journey()
    tab.goto("/your-report")
    assert tab.h1() == "Check your report"
    expect(tab.page.locator(".govuk-exit-this-page")).to_be_visible()
    answer(tab.page, {"reference": reference, "email": RESIDENT})
    tab.button("Email me a link")
    assert tab.h1() == "Check your email for a sign-in link"

    mail = wait_for(lambda: mailbox.to(RESIDENT))
    assert mail, "the sign-in link arrives by email"
    found = LINK.search(mail[0].get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert found is not None
    tab.goto(found.group(1))
    tab.button("Sign in and see your report")
    assert tab.path == "/your-report/case"
    assert tab.h1() == f"Your report {reference}"
    assert "An officer is working on it" in tab.text()
    assert UPDATE in tab.text()
    assert "PCSO" not in tab.text()

    # One more incident, added to this report with a photo from a phone.
    photo = {
        "name": "IMG_4410.jpg",
        "mimeType": "image/jpeg",
        "buffer": camera_jpeg(4 * MB, (4000, 3000), quality=90, seed=3),
    }
    tab.link("Add an incident to this report")
    assert tab.h1() == "Add an incident to your report"
    expect(tab.page.locator(".govuk-exit-this-page")).to_be_visible()
    yesterday = london_today() - timedelta(days=1)
    answer(
        tab.page,
        {
            "what_happened": INCIDENT,
            "time_of_day": "about 10pm",
            "harm": ["violence_or_threats", "feel_unsafe"],
        },
    )
    tab.page.fill("#occurred_on-day", str(yesterday.day))
    tab.page.fill("#occurred_on-month", str(yesterday.month))
    tab.page.fill("#occurred_on-year", str(yesterday.year))
    tab.page.set_input_files('input[name="files"]', files=[photo])
    tab.button("Add this incident")
    assert tab.h1() == "Incident added to your report"
    assert reference in tab.text()
    tab.link("Go back to your report")
    assert INCIDENT in tab.text()

    tab.button("Sign out")
    assert tab.h1() == "You have signed out of your report"
    tab.goto("/your-report/case")
    assert tab.path == "/your-report", "signed out: the report is not shown again"

    desk = signed_in(journey, app, officer)
    row = desk.page.locator("tbody tr", has_text=reference)
    expect(row).to_contain_text("New incident")
    desk.goto(f"/officer/cases/{reference}")
    timeline = desk.page.locator(".portal-timeline")
    expect(timeline).to_contain_text(INCIDENT)
    expect(timeline).to_contain_text("Someone has been hurt or threatened")
    expect(timeline.get_by_role("link", name="IMG_4410.jpg")).to_be_visible()
    expect(desk.page.locator("#latest-assessment")).to_be_visible()
    desk.goto("/officer/")
    expect(desk.page.locator("tbody tr", has_text=reference)).not_to_contain_text("New incident")
