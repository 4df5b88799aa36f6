"""A sign-in code for a resident whose email is not safe: made by the officer with the case (audited),
shown once, working once and for a day, void after five wrong tries, and a new one replaces the old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, ResidentSignIn
from portal.models.audit import AuditAction
from portal.models.types import utcnow
from portal.reports.links import CODE_ALPHABET
from tests.cases import make_case
from tests.helpers import Page, PageClient

WRONG = (
    "The reference number or code is not right, or the code has expired or been used. "
    "Check them, or ask the officer for a new code"
)
BUTTON = "Create a sign-in code for the resident"


@pytest.fixture
def unsafe_email_case(app: Flask) -> str:
    """A resident who said email is not safe, and a phone that is."""
    return make_case(
        app,
        reporter_email="shared.inbox@example.org",
        safe_to_email=False,
        reporter_phone="07700 900123",
        phone_key="07700900123",
        safe_to_phone=True,
        safe_call_times="Weekdays after 6pm",
    )


def create_code(client: PageClient, reference: str) -> Page:
    case_page = client.get(f"/officer/cases/{reference}")
    assert BUTTON in case_page.text()
    return client.post(
        f"/officer/cases/{reference}/sign-in-code",
        {"csrf_token": case_page.csrf_token(), "version": case_page.value("version")},
    )


def the_code(page: Page) -> str:
    shown = page.soup.select_one("#sign-in-code")
    assert shown is not None
    return shown.get_text(strip=True)


def enter(client: PageClient, reference: str, code: str) -> Page:
    return client.post_form("/your-report/code", {"reference": reference, "code": code})


def test_an_officer_makes_a_code_shown_once_with_the_safe_contact_and_audited(
    app: Flask, supervisor_client: PageClient, unsafe_email_case: str
) -> None:
    page = create_code(supervisor_client, unsafe_email_case)
    assert page.h1 == "Sign-in code for the resident"
    code = the_code(page)
    letters = code.replace("-", "")
    assert len(letters) == 8 and set(letters) <= set(CODE_ALPHABET) and code[4] == "-"
    assert "Weekdays after 6pm" in page.text(), "the safe contact is beside the code"
    assert "/your-report/code" in page.text()
    assert page.response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.RESIDENT_CODE_CREATED)
        ).all()
        stored = db.session.scalars(select(ResidentSignIn.secret_hash)).one()
        entries = db.session.scalars(select(AuditEvent))
        everything_audited = repr([(e.before, e.after, e.detail) for e in entries])
        assert db.session.scalars(select(OutboxMessage)).all() == [], "nothing is emailed"
    assert entry.actor_id is not None
    assert stored is not None and letters not in stored and code not in stored
    assert letters not in everything_audited and code not in everything_audited
    timeline = supervisor_client.get(f"/officer/cases/{unsafe_email_case}")
    assert "Sign-in code made for the resident" in timeline.text()
    assert code not in timeline.html, "shown once: never again on the case page"


def test_the_resident_signs_in_with_the_code_once(
    app: Flask, client: PageClient, supervisor_client: PageClient, unsafe_email_case: str
) -> None:
    code = the_code(create_code(supervisor_client, unsafe_email_case))
    view = enter(client, unsafe_email_case.lower(), code.lower().replace("-", " "))  # as typed, normalised
    assert view.path == "/your-report/case" and view.h1 == f"Your report {unsafe_email_case}"
    again = enter(PageClient(app.test_client()), unsafe_email_case, code)
    assert again.status == 400 and again.errors == [WRONG]


def test_five_wrong_codes_void_it(
    app: Flask, client: PageClient, supervisor_client: PageClient, unsafe_email_case: str
) -> None:
    code = the_code(create_code(supervisor_client, unsafe_email_case))
    wrong = "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"
    for _ in range(5):
        assert enter(client, unsafe_email_case, wrong).errors == [WRONG]
    assert enter(client, unsafe_email_case, code).errors == [WRONG], "the right code, too late"
    # The officer sees it on the case's timeline: they can tell the resident, and someone may be guessing.
    timeline = supervisor_client.get(f"/officer/cases/{unsafe_email_case}").soup.select_one(
        ".portal-timeline"
    )
    assert timeline is not None
    assert timeline.get_text(" ", strip=True).count("Sign-in code void after too many wrong tries") == 1


def test_four_wrong_codes_leave_it_working(
    app: Flask, client: PageClient, supervisor_client: PageClient, unsafe_email_case: str
) -> None:
    code = the_code(create_code(supervisor_client, unsafe_email_case))
    for _ in range(4):
        assert enter(client, unsafe_email_case, "ZZZZ-ZZZ2").errors == [WRONG]
    assert enter(client, unsafe_email_case, code).path == "/your-report/case"


def test_an_expired_code_is_refused(
    app: Flask, client: PageClient, supervisor_client: PageClient, unsafe_email_case: str
) -> None:
    code = the_code(create_code(supervisor_client, unsafe_email_case))
    with app.app_context():
        expires = db.session.scalars(select(ResidentSignIn.expires_at)).one()
        assert timedelta(hours=23, minutes=59) < expires - utcnow() <= timedelta(hours=24)
        db.session.execute(update(ResidentSignIn).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert enter(client, unsafe_email_case, code).errors == [WRONG]


def test_a_new_code_replaces_the_old(
    app: Flask, client: PageClient, supervisor_client: PageClient, unsafe_email_case: str
) -> None:
    first = the_code(create_code(supervisor_client, unsafe_email_case))
    second = the_code(create_code(supervisor_client, unsafe_email_case))
    if first != second:
        assert enter(client, unsafe_email_case, first).errors == [WRONG]
    assert enter(client, unsafe_email_case, second).path == "/your-report/case"


def test_a_code_is_for_its_own_case_only(
    app: Flask, client: PageClient, supervisor_client: PageClient, unsafe_email_case: str
) -> None:
    other = make_case(app)
    code = the_code(create_code(supervisor_client, unsafe_email_case))
    assert enter(client, other, code).errors == [WRONG]
    assert enter(client, "DIO-2026-999999", code).errors == [WRONG]
    assert enter(client, unsafe_email_case, code).path == "/your-report/case"


def test_only_the_officer_with_the_case_or_a_supervisor_makes_a_code(
    app: Flask, officer_client: PageClient, unsafe_email_case: str
) -> None:
    case_page = officer_client.get(f"/officer/cases/{unsafe_email_case}")
    assert BUTTON not in case_page.text()
    refused = officer_client.post(
        f"/officer/cases/{unsafe_email_case}/sign-in-code", {"csrf_token": case_page.csrf_token()}
    )
    assert refused.status == 400
    with app.app_context():
        assert db.session.scalars(select(ResidentSignIn)).all() == []


def test_an_anonymous_report_offers_no_code(app: Flask, supervisor_client: PageClient) -> None:
    reference = make_case(app, anonymous=True, reporter_email="", email_key="", reporter_name="")
    assert BUTTON not in supervisor_client.get(f"/officer/cases/{reference}").text()


def test_entering_codes_is_rate_limited_with_a_clear_page(app: Flask, unsafe_email_case: str) -> None:
    browser = PageClient(app.test_client())
    for number in range(10):
        assert enter(browser, unsafe_email_case, f"ABCD-EF{CODE_ALPHABET[number]}2").status == 400
    token = browser.get("/your-report/code").csrf_token()
    data = {"csrf_token": token, "reference": unsafe_email_case, "code": "ABCD-EFGH"}
    refused = browser.post_raw("/your-report/code", data)
    assert refused.status_code == 429
    page = Page(refused)
    assert page.h1 == "You have sent a lot in a short time" and page.has_exit_this_page()


def test_the_form_asks_for_both(client: PageClient) -> None:
    assert client.post_form("/your-report/code", {"reference": "", "code": ""}).errors == [
        "Enter your reference number",
        "Enter the sign-in code",
    ]


# --- Updates for a resident who cannot be emailed ----------------------------------------------------

PORTAL_UPDATE = "Add update to the resident's report page"


def post_portal_update(client: PageClient, reference: str, text: str) -> Page:
    case_page = client.get(f"/officer/cases/{reference}")
    assert PORTAL_UPDATE in case_page.text()
    return client.post(
        f"/officer/cases/{reference}/portal-updates", {"csrf_token": case_page.csrf_token(), "text": text}
    )


def test_an_update_for_a_resident_whose_email_is_unsafe_waits_on_their_report_page_unsent(
    app: Flask, supervisor_client: PageClient, client: PageClient, unsafe_email_case: str
) -> None:
    with app.app_context():
        queued = db.session.scalars(select(OutboxMessage.id)).all()
    case_page = post_portal_update(supervisor_client, unsafe_email_case, "We visited the flats today.")
    assert "they see it when they sign in with a code" in case_page.text()
    assert "Update on the resident's report page (not emailed)" in case_page.text()
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.id)).all() == queued, "nothing is emailed"
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert AuditAction.UPDATE_POSTED.value in actions and AuditAction.UPDATE_SENT.value not in actions

    view = enter(client, unsafe_email_case, the_code(create_code(supervisor_client, unsafe_email_case)))
    assert view.path == "/your-report/case"
    assert "We visited the flats today." in view.text()


def test_an_empty_update_is_refused_with_a_message(
    app: Flask, supervisor_client: PageClient, unsafe_email_case: str
) -> None:
    assert post_portal_update(supervisor_client, unsafe_email_case, " ").errors == ["Enter the update"]
    with app.app_context():
        assert (
            db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "update_posted")).all()
            == []
        )


def test_a_resident_who_can_be_emailed_is_emailed_instead(app: Flask, supervisor_client: PageClient) -> None:
    reference = make_case(
        app, reporter_email="sam@example.org", email_key="sam@example.org", safe_to_email=True
    )
    case_page = supervisor_client.get(f"/officer/cases/{reference}")
    assert PORTAL_UPDATE not in case_page.text()
    refused = supervisor_client.post(
        f"/officer/cases/{reference}/portal-updates", {"csrf_token": case_page.csrf_token(), "text": "Hello"}
    )
    assert "email the update" in refused.text()
    with app.app_context():
        assert (
            db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "update_posted")).all()
            == []
        )


def test_an_anonymous_report_offers_no_update_page(app: Flask, supervisor_client: PageClient) -> None:
    reference = make_case(app, anonymous=True, reporter_email="", email_key="", reporter_name="")
    case_page = supervisor_client.get(f"/officer/cases/{reference}")
    assert PORTAL_UPDATE not in case_page.text()
    refused = supervisor_client.post(
        f"/officer/cases/{reference}/portal-updates", {"csrf_token": case_page.csrf_token(), "text": "Hello"}
    )
    assert "No one can sign in" in refused.text()


def test_refreshing_the_page_that_showed_a_code_replaces_nothing(
    app: Flask, supervisor_client: PageClient, client: PageClient, unsafe_email_case: str
) -> None:
    case_page = supervisor_client.get(f"/officer/cases/{unsafe_email_case}")
    posted = {"csrf_token": case_page.csrf_token(), "version": case_page.value("version")}
    code = the_code(supervisor_client.post(f"/officer/cases/{unsafe_email_case}/sign-in-code", posted))
    with app.app_context():
        made = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "resident_code_created")
        ).all()
    refreshed = supervisor_client.post(
        f"/officer/cases/{unsafe_email_case}/sign-in-code", posted
    )  # the same post
    assert refreshed.status == 409
    assert "No new code was made: any code shown before still works" in refreshed.text()
    assert refreshed.soup.select_one("#sign-in-code") is None, "no second code is shown"
    with app.app_context():
        again = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "resident_code_created")
        ).all()
    assert len(again) == len(made) == 1
    assert enter(client, unsafe_email_case, code).path == "/your-report/case", "the code shown still works"
    # From the case page as it is now, a new code can still be made, and it replaces the first.
    assert the_code(create_code(supervisor_client, unsafe_email_case)) != code
