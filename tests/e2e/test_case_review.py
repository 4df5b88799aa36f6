"""In a real browser, the ASB Case Review: a resident signs in by the emailed link, applies online
with one report to the police and sees where it stands; an officer records an application by phone
for a victim, made by a councillor with the victim's consent, and decides the threshold, seeing
which part is met."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from playwright.sync_api import Page

from tests.cases import make_case
from tests.conftest import MailCatcher
from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer
from tests.e2e.officers import signed_in
from tests.helpers import today
from tests.officers import make_account
from tests.processes import wait_for

RESIDENT = "robin.resident@example.org"
LINK = re.compile(r"https?://[^/\s]+(/your-report/sign-in/[A-Za-z0-9_-]+)")


def _date(page: Page, name: str, day: date) -> None:
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        page.locator(f"#{name}-{part}").fill(str(value))


def test_a_resident_applies_online_with_one_report_to_the_police_and_sees_where_it_stands(
    journey: Callable[..., CheckedPage], app: Flask, mailbox: MailCatcher
) -> None:
    contact = {"reporter_email": RESIDENT, "email_key": RESIDENT, "safe_to_email": True}
    make_case(app, submitted_at=datetime(2026, 9, 14, 10, 0, tzinfo=UTC), **contact)
    reference = make_case(app, flags=["case_review_eligible"], **contact)

    tab = journey(javascript=False)
    tab.goto("/your-report")
    answer(tab.page, {"reference": reference, "email": RESIDENT})
    tab.button("Email me a link")
    mail = wait_for(lambda: mailbox.to(RESIDENT))
    assert mail, "the sign-in link arrives by email"
    found = LINK.search(mail[0].get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert found is not None
    tab.goto(found.group(1))
    tab.button("Sign in and see your report")
    assert tab.path == "/your-report/case"

    tab.link("Apply for an ASB Case Review")
    assert tab.h1() == "Apply for an ASB Case Review"
    assert "Monday 14 September 2026" in tab.text() and "Monday 2 November 2026" in tab.text()
    tab.button("Continue")
    assert tab.errors() == ["Enter what has been happening"]

    answer(tab.page, {"account": "Music and shouting from the flat above, most nights."})
    tab.button("Add another report")
    assert tab.page.locator("#elsewhere_3_on-day").count() == 1, "one more row, without JavaScript"
    reported = today() - timedelta(days=5)
    _date(tab.page, "elsewhere_0_on", reported)
    answer(tab.page, {"elsewhere_0_agency": "police"})
    tab.button("Continue")
    assert tab.h1() == "Check your application before you send it"
    assert f"{reported:%A} {reported.day} {reported:%B %Y}: the police" in tab.text()
    tab.button("Send application")
    assert tab.path == "/your-report/case-review/sent"
    assert "We will tell you by" in tab.text()

    tab.link(f"Back to your report {reference}")
    assert "We are deciding whether your application meets the threshold." in tab.text()


def test_an_officer_records_an_application_by_phone_for_the_victim_and_decides_the_threshold(
    journey: Callable[..., CheckedPage], app: Flask
) -> None:
    officer = make_account(app, "officer", "Sam Officer")
    reference = make_case(app, assignee_id=officer.id, reporter_email=RESIDENT, email_key=RESIDENT)
    tab = signed_in(journey, app, officer)
    tab.goto(f"/officer/cases/{reference}")
    tab.link("Record an application")
    assert tab.h1() == "Record an application for an ASB Case Review"

    answer(
        tab.page,
        {
            "channel": "phone",
            "applicant": "councillor",
            "applicant_name": "Cllr Pat Jones",
            "applicant_phone": "01246 231111",
            "account": "Shouting at the victim's door every weekend since August.",
            "elsewhere_0_agency": "police",
            "elsewhere_1_agency": "landlord",
        },
    )
    _date(tab.page, "elsewhere_0_on", today() - timedelta(days=30))
    _date(tab.page, "elsewhere_1_on", today() - timedelta(days=9))
    tab.button("Record the application")
    assert tab.errors() == [
        "Enter the date the victim agreed to someone applying for them: an application for them cannot be "
        "taken without their consent"
    ]
    _date(tab.page, "consent_given_on", today())
    answer(tab.page, {"consent_how": "By phone to me"})
    tab.button("Record the application")
    assert tab.h1().startswith("ASB Case Review")
    assert "A councillor: Cllr Pat Jones" in tab.text()

    reasons = tab.page.locator("#threshold-reasons").inner_text()
    assert (
        "3 reports by the applicant in 6 months: 1 to this portal, 1 to the police, 1 to the landlord"
        in reasons
    )
    assert tab.page.get_by_role("radio", name="Yes, it meets the threshold").is_checked()
    tab.button("Record the threshold decision")
    assert "The threshold decision has been recorded" in tab.text()
    assert "Threshold met" in tab.text()
    assert "By the count, the threshold is met by:" in tab.text()

    tab.goto("/officer/case-reviews")
    assert tab.h1() == "ASB Case Reviews"
    assert "Review to be held: 1" in tab.text()
