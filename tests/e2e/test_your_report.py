"""In a real browser: a resident asks for a sign-in link, opens it from the email in the real
mailbox, sees where their report has got to and an officer's update, and signs out."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import CaseNote, Report
from tests.cases import make_case
from tests.conftest import MailCatcher
from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer
from tests.officers import make_account
from tests.processes import wait_for

RESIDENT = "robin.resident@example.org"
UPDATE = "A warden will visit the park on Friday evenings this month."
LINK = re.compile(r"https?://[^/\s]+(/your-report/sign-in/[A-Za-z0-9_-]+)")


def test_a_resident_signs_in_by_an_emailed_link_sees_their_report_and_signs_out(
    journey: Callable[..., CheckedPage], app: Flask, mailbox: MailCatcher
) -> None:
    officer = make_account(app, "officer")
    reference = make_case(
        app, reporter_email=RESIDENT, email_key=RESIDENT, safe_to_email=True, status="in_progress"
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

    tab.button("Sign out")
    assert tab.h1() == "You have signed out of your report"
    tab.goto("/your-report/case")
    assert tab.path == "/your-report", "signed out: the report is not shown again"
