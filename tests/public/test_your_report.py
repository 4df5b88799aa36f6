"""Checking your report: a sign-in link emailed only to a safe address, that works once and soon
ends; the same answer whatever was typed; and a view of the report that shows nothing internal."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import AuditEvent, CaseNote, OutboxMessage, Reassessment, Report, ResidentSignIn, User
from portal.models.audit import AuditAction
from portal.models.types import utcnow
from tests.cases import make_case
from tests.conftest import MailCatcher
from tests.helpers import Page, PageClient
from tests.officers import Account

EMAIL = "sam.resident@example.org"
SENT = (
    "If the reference and email match a report, and you told us it is safe to email you, we have sent a link"
)
LINK = re.compile(r"https?://\S+(/your-report/sign-in/[A-Za-z0-9_-]+)")
EXPIRED = "This sign-in link has expired or has already been used"


def resident_case(app: Flask, **changes: object) -> str:
    values: dict[str, object] = {
        "reporter_email": EMAIL,
        "email_key": EMAIL,
        "safe_to_email": True,
        "reporter_name": "Sam Resident",
    }
    values.update(changes)
    return make_case(app, **values)


def ask(client: PageClient, reference: str, email: str) -> Page:
    return client.post_form("/your-report", {"reference": reference, "email": email})


def emailed_link(mailbox: MailCatcher, to: str = EMAIL) -> str:
    [message] = mailbox.to(to)
    body = message.get_body(("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found is not None
    return found.group(1)


def sign_in_by_link(client: PageClient, link: str) -> Page:
    return client.post_form(link)


def signed_in(app: Flask, client: PageClient, mailbox: MailCatcher, reference: str) -> Page:
    ask(client, reference, EMAIL)
    return sign_in_by_link(client, emailed_link(mailbox))


# --- Getting in by an emailed link ------------------------------------------------------------------


def test_the_right_reference_and_email_get_one_email_with_a_link_that_signs_in_once(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    page = ask(client, reference.lower() + " ", "  Sam.Resident@EXAMPLE.org")  # as typed, normalised
    assert page.h1 == "Check your email for a sign-in link" and SENT in page.text()
    assert page.has_exit_this_page()
    link = emailed_link(mailbox)
    [message] = mailbox.to(EMAIL)
    assert reference not in message["Subject"]
    # The link holds nothing of the resident or the report.
    assert reference not in link and "sam" not in link.lower() and "example" not in link

    opened = client.get(link)
    assert opened.h1 == "Sign in to see your report" and opened.has_exit_this_page()
    assert client.get(link).status == 200, "opening the link (a mail scanner, say) spends nothing"
    view = sign_in_by_link(client, link)
    assert view.path == "/your-report/case"
    assert view.h1 == f"Your report {reference}"

    second = PageClient(app.test_client())
    again = second.get_raw(link)
    assert again.status_code == 410
    token = second.get("/your-report").csrf_token()
    used = second.post(link, {"csrf_token": token})
    assert used.status == 410 and used.h1 == EXPIRED
    assert second.get_raw("/your-report/case").status_code == 302, "the second browser is not signed in"


def test_only_the_hash_of_the_link_is_kept(app: Flask, client: PageClient, mailbox: MailCatcher) -> None:
    reference = resident_case(app)
    ask(client, reference, EMAIL)
    token = emailed_link(mailbox).rsplit("/", 1)[1]
    with app.app_context():
        row = db.session.scalars(select(ResidentSignIn)).one()
        assert row.secret_hash not in (None, token) and token not in repr(row.__dict__)


def test_an_expired_link_is_refused(app: Flask, client: PageClient, mailbox: MailCatcher) -> None:
    reference = resident_case(app)
    ask(client, reference, EMAIL)
    link = emailed_link(mailbox)
    with app.app_context():
        db.session.execute(update(ResidentSignIn).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get_raw(link).status_code == 410
    token = client.get("/your-report").csrf_token()
    assert client.post(link, {"csrf_token": token}).h1 == EXPIRED
    assert client.get_raw("/your-report/case").status_code == 302


def test_a_link_lasts_thirty_minutes_by_default(app: Flask, client: PageClient, mailbox: MailCatcher) -> None:
    reference = resident_case(app)
    before = utcnow()
    ask(client, reference, EMAIL)
    with app.app_context():
        expires = db.session.scalars(select(ResidentSignIn.expires_at)).one()
    assert timedelta(minutes=29) < expires - before <= timedelta(minutes=30, seconds=5)
    assert "within 30 minutes" in mailbox.to(EMAIL)[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "case, typed",
    [
        pytest.param({}, {"email": "someone.else@example.org"}, id="wrong-email"),
        pytest.param({}, {"reference": "DIO-2026-999999"}, id="unknown-reference"),
        pytest.param({"safe_to_email": False}, {}, id="email-not-safe"),
        pytest.param({"anonymous": True}, {}, id="anonymous"),
    ],
)
def test_no_match_gets_the_same_page_and_no_email(
    app: Flask, client: PageClient, mailbox: MailCatcher, case: dict[str, object], typed: dict[str, str]
) -> None:
    matching = resident_case(app)
    reference = resident_case(app, **case)
    expected = ask(PageClient(app.test_client()), matching, EMAIL)  # the page a match gets
    mailbox.clear()
    page = ask(client, typed.get("reference", reference), typed.get("email", EMAIL))
    assert page.status == expected.status and page.path == expected.path
    assert page.soup.select_one("main").get_text() == expected.soup.select_one("main").get_text()  # type: ignore[union-attr]
    assert mailbox.messages == []
    with app.app_context():
        assert db.session.scalars(select(ResidentSignIn.id)).all() == [1], "only the match's link"


def test_a_new_link_replaces_the_last(app: Flask, client: PageClient, mailbox: MailCatcher) -> None:
    reference = resident_case(app)
    ask(client, reference, EMAIL)
    first = emailed_link(mailbox)
    mailbox.clear()
    ask(client, reference, EMAIL)
    second = emailed_link(mailbox)
    assert client.get_raw(first).status_code == 410
    assert sign_in_by_link(client, second).path == "/your-report/case"


def test_the_form_asks_for_a_reference_and_a_real_email(client: PageClient) -> None:
    assert client.post_form("/your-report", {"reference": "", "email": ""}).errors == [
        "Enter your reference number",
        "Enter your email address",
    ]
    assert client.post_form("/your-report", {"reference": "DIO-2026-000001", "email": "sam@"}).errors == [
        "Enter an email address in the correct format, like name@example.com"
    ]


def test_asking_for_links_is_rate_limited_with_a_clear_page(app: Flask, mailbox: MailCatcher) -> None:
    reference = resident_case(app)
    browser = PageClient(app.test_client())
    for _ in range(3):
        assert ask(browser, reference, EMAIL).h1 == "Check your email for a sign-in link"
    token = browser.get("/your-report").csrf_token()
    refused = browser.post_raw("/your-report", {"csrf_token": token, "reference": reference, "email": EMAIL})
    assert refused.status_code == 429
    page = Page(refused)
    assert page.h1 == "You have sent a lot in a short time" and page.has_exit_this_page()
    assert len(mailbox.to(EMAIL)) == 3
    for number in range(7):  # other addresses, up to the limit per address
        ask(browser, reference, f"other{number}@example.org")
    token = browser.get("/your-report").csrf_token()
    data = {"csrf_token": token, "reference": reference, "email": "another@example.org"}
    assert browser.post_raw("/your-report", data).status_code == 429


# --- Signed in --------------------------------------------------------------------------------------


def test_signing_in_lapses_after_thirty_minutes_without_a_page(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    with client.client.session_transaction() as session:
        session["your_report"] = {**session["your_report"], "seen": session["your_report"]["seen"] - 29 * 60}
    assert client.get_raw("/your-report/case").status_code == 200, "a page renews it"
    with client.client.session_transaction() as session:
        session["your_report"] = {**session["your_report"], "seen": session["your_report"]["seen"] - 31 * 60}
    lapsed = client.get_raw("/your-report/case")
    assert lapsed.status_code == 302 and lapsed.headers["Location"] == "/your-report"


def test_signing_out_ends_it_and_the_pages_are_never_cached(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    view = signed_in(app, client, mailbox, reference)
    for path in ("/your-report", "/your-report/code", "/your-report/case"):
        assert client.get_raw(path).headers["Cache-Control"] == "no-store", path
    assert view.has_exit_this_page()
    out = client.post("/your-report/sign-out", {"csrf_token": view.csrf_token()})
    assert out.h1 == "You have signed out of your report" and out.has_exit_this_page()
    assert client.get_raw("/your-report/case").status_code == 302


def _copy_of(app: Flask, client: PageClient) -> PageClient:
    """Another browser holding a copy of ``client``'s cookie, as someone who took it would."""
    cookie = client.client.get_cookie("session")
    assert cookie is not None
    other = PageClient(app.test_client())
    other.client.set_cookie("session", cookie.value)
    return other


def test_a_copy_of_the_cookie_is_worth_nothing_once_the_resident_signs_out(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    view = signed_in(app, client, mailbox, reference)
    copied = _copy_of(app, client)
    assert copied.get_raw("/your-report/case").status_code == 200, "a copy works while the sign-in lasts"
    client.post("/your-report/sign-out", {"csrf_token": view.csrf_token()})
    assert copied.get_raw("/your-report/case").status_code == 302


def test_a_new_code_from_an_officer_signs_out_whoever_is_signed_in(
    app: Flask, client: PageClient, mailbox: MailCatcher, officer: Account
) -> None:
    from portal.cases.resident_code import create_sign_in_code

    reference = resident_case(app, assignee_id=officer.id)
    signed_in(app, client, mailbox, reference)
    with app.app_context():
        user = db.session.get(User, officer.id)
        assert user is not None
        create_sign_in_code(reference, user, None)
    assert client.get_raw("/your-report/case").status_code == 302


def test_a_sign_in_ends_when_its_case_is_anonymised(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    with app.app_context():
        db.session.execute(update(Report).where(Report.reference == reference).values(anonymised_at=utcnow()))
        db.session.commit()
    assert client.get_raw("/your-report/case").status_code == 302


def test_a_sign_in_ends_after_two_hours_however_busy(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    with app.app_context():
        [row] = db.session.scalars(select(ResidentSignIn).where(ResidentSignIn.channel == "signed_in"))
        assert timedelta(minutes=119) < row.expires_at - utcnow() <= timedelta(hours=2)
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get_raw("/your-report/case").status_code == 302


def test_signing_in_from_another_browser_ends_the_first(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    elsewhere = PageClient(app.test_client())
    ask(elsewhere, reference, EMAIL)
    body = mailbox.to(EMAIL)[-1].get_body(("plain",))
    found = LINK.search(body.get_content()) if body is not None else None
    assert found is not None
    assert sign_in_by_link(elsewhere, found.group(1)).h1 == f"Your report {reference}"
    assert client.get_raw("/your-report/case").status_code == 302, "one browser at a time"


def test_signing_in_to_one_report_forgets_the_other(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    first = resident_case(app)
    second = resident_case(app, reporter_email="pat@example.org", email_key="pat@example.org")
    signed_in(app, client, mailbox, first)
    ask(client, second, "pat@example.org")
    view = sign_in_by_link(client, emailed_link(mailbox, "pat@example.org"))
    assert view.h1 == f"Your report {second}" and first not in view.html


def test_the_case_page_needs_a_sign_in(client: PageClient) -> None:
    response = client.get_raw("/your-report/case")
    assert response.status_code == 302 and response.headers["Location"] == "/your-report"


# --- What the resident sees -------------------------------------------------------------------------


def _work_the_case(app: Flask, reference: str, officer: Account) -> None:
    """An update and an internal note, and the triage's own words, as an officer's work leaves them."""
    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        db.session.add_all(
            [
                CaseNote(
                    report_id=report.id,
                    kind="update",
                    text="We have spoken to the housing association about the noise.",
                    author_id=officer.id,
                    emailed=True,
                    created_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
                ),
                CaseNote(
                    report_id=report.id,
                    kind="note",
                    text="Zebra-internal: neighbour at 4 has a history with the police.",
                    author_id=officer.id,
                ),
            ]
        )
        report.assignee_id = officer.id
        report.status = "in_progress"
        report.first_contact_on = date(2026, 11, 19)
        report.first_contact_channel = "phone"
        db.session.commit()


@pytest.fixture
def worked(app: Flask, officer: Account) -> str:
    reference = resident_case(
        app,
        risk_score=87,
        risk_level="high",
        flags=["case_review_eligible", "repeat_caller"],
        reasons=["Quokka-reason: matched the repeat caller rule"],
        rule="tasking.quokka_rule",
    )
    resident_case(app, reporter_name="Other Person", description="Another resident's words, Wombat")
    _work_the_case(app, reference, officer)
    return reference


def test_the_view_shows_the_status_first_contact_updates_and_case_review(
    app: Flask, client: PageClient, mailbox: MailCatcher, worked: str
) -> None:
    page = signed_in(app, client, mailbox, worked)
    text = page.text()
    assert f"Your report {worked}" == page.h1
    assert "Anti-social behaviour" in text
    assert "An officer is working on it" in text
    assert "19 November 2026" in text
    assert "We have spoken to the housing association about the noise." in text
    assert "Your reports meet the threshold for a Case Review." in text
    assert page.soup.select_one('a[href^="tel:"]') is not None


def test_the_view_shows_nothing_internal(
    app: Flask, client: PageClient, mailbox: MailCatcher, worked: str, officer: Account
) -> None:
    page = signed_in(app, client, mailbox, worked)
    # The whole page but its random tokens (a CSRF token or a nonce may hold "87" by chance).
    for random_value in page.soup.select('input[name="csrf_token"]'):
        random_value.decompose()
    for tag in page.soup.find_all(nonce=True):
        del tag["nonce"]
    shown = str(page.soup)
    with app.app_context():
        officer_name = db.session.get(User, officer.id).name  # type: ignore[union-attr]
    for internal in (
        "Zebra-internal",
        "history with the police",
        "87",
        "high",
        "High",
        "repeat_caller",
        "case_review_eligible",
        "Quokka",
        "quokka",
        "tasking",
        "Tasking",
        officer_name,
        "Other Person",
        "Wombat",
        "Noise from the park",  # even the resident's own words stay in the back-office
        "1 Park Road",
    ):
        assert internal not in shown, internal


@pytest.mark.parametrize(
    "status, words",
    [
        ("new", "We have received your report"),
        ("in_progress", "An officer is working on it"),
        ("awaiting_resident", "We are waiting to hear from you"),
        ("closed", "Closed"),
    ],
)
def test_each_status_is_said_in_plain_words(
    app: Flask, client: PageClient, mailbox: MailCatcher, status: str, words: str
) -> None:
    reference = resident_case(app, status=status)
    page = signed_in(app, client, mailbox, reference)
    tag = page.soup.select_one(".govuk-summary-list .govuk-tag")
    assert tag is not None and tag.get_text(strip=True) == words
    assert "We have not sent you any updates yet." in page.text()
    assert "Not yet" in page.text()
    assert "Case Review" not in page.text()


def test_signing_in_is_on_the_case_timeline(app: Flask, client: PageClient, mailbox: MailCatcher) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == AuditAction.RESIDENT_SIGNED_IN)
        ).all()
        purposes = db.session.scalars(select(OutboxMessage.purpose)).all()
    assert details == ["by an emailed link"]
    assert purposes == ["resident_sign_in_link"]


def test_the_view_shows_the_residents_incidents_but_nothing_of_their_assessment(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app)
    signed_in(app, client, mailbox, reference)
    day = date.today() - timedelta(days=2)
    client.post_form(
        "/your-report/incident",
        {
            "what_happened": "He came back with a knife and threatened us.",
            "occurred_on": [str(day.day), str(day.month), str(day.year)],
            "harm": ["violence_or_threats", "feel_unsafe"],
        },
    )
    page = client.get("/your-report/case")
    for random_value in page.soup.select('input[name="csrf_token"]'):
        random_value.decompose()
    for tag in page.soup.find_all(nonce=True):
        del tag["nonce"]
    shown = str(page.soup)
    assert "He came back with a knife and threatened us." in page.text()
    with app.app_context():
        [later] = db.session.scalars(select(Reassessment)).all()
    assert later.risk_level == "high"  # the assessment was made, and is not shown
    for internal in (
        "high",
        "High",
        "raised",
        "Raised",
        "safeguarding",
        "Safeguarding",
        "score",
        "tasking",
        "Tasking",
        "repeat",
        "assess",
    ):
        assert internal not in shown, internal


def test_the_case_review_position_shows_no_score_no_officer_note_and_no_other_resident(
    app: Flask, client: PageClient, mailbox: MailCatcher, worked: str, officer: Account
) -> None:
    from portal.cases import case_review

    with app.app_context():
        review = case_review.apply(
            worked,
            channel="online",
            applicant=case_review.Applicant(),
            account="Zebra-account: the music again",
            reported_elsewhere=[],
            actor=None,
        )
        case_review.decide(
            review.id,
            db.session.get(User, officer.id),  # type: ignore[arg-type]
            met=False,
            note="Zebra-internal: the neighbour at 4 is known to us",
        )
    page = signed_in(app, client, mailbox, worked)
    position = page.soup.select_one("#case-review-position")
    assert position is not None
    assert position.get_text(strip=True).startswith(
        "It did not meet the threshold, because we counted 2 reports by you"
    )
    for random_value in page.soup.select('input[name="csrf_token"]'):
        random_value.decompose()
    for tag in page.soup.find_all(nonce=True):
        del tag["nonce"]
    shown = str(page.soup)
    for internal in (
        "Zebra",
        "known to us",
        "87",
        "household reporting",
        "2 households",
        "Other Person",
        "by the applicant",
        "reports_by_one_person",
        "threshold_met",
    ):
        assert internal not in shown, internal
