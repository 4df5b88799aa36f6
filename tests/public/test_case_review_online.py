"""Applying online for an ASB Case Review, signed in to one's report: the reports already counted,
the incidents and the reports made elsewhere, check your answers, and where it stands after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, CaseReview
from portal.models.audit import AuditAction
from portal.web.formatting import long_date
from tests.conftest import MailCatcher
from tests.helpers import Page, PageClient, today
from tests.journey import submit
from tests.public.test_your_report import resident_case, signed_in

APPLY = "/your-report/case-review"
ACCOUNT = "Loud music from the flat above until 3am, most nights since the summer."


def parts(day: object) -> list[str]:
    return [f"{day:%d}", f"{day:%m}", f"{day:%Y}"]  # type: ignore[str-format]


def eligible(app: Flask) -> str:
    """A resident's second ASB report, told they may apply; the first one is in the window too."""
    resident_case(app, submitted_at=datetime(2026, 9, 1, 10, 0, tzinfo=UTC), reporter_name="Sam Resident")
    return resident_case(app, flags=["case_review_eligible"])


def answers(**rows: object) -> dict[str, object]:
    data: dict[str, object] = {"account": ACCOUNT, "rows": "3"}
    data.update(rows)
    return data


def police_last_week() -> dict[str, object]:
    return {"elsewhere_0_on": parts(today() - timedelta(days=7)), "elsewhere_0_agency": "police"}


def check_answers(client: PageClient, data: dict[str, object]) -> Page:
    return client.post_form(APPLY, data)


def test_an_eligible_resident_is_offered_the_application_and_shown_only_their_own_reports_counted(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = eligible(app)
    resident_case(
        app, reporter_name="Other Person", reporter_email="other@example.org", email_key="other@example.org"
    )
    case = signed_in(app, client, mailbox, reference)
    link = case.soup.find("a", string="Apply for an ASB Case Review")
    assert link is not None and link["href"] == APPLY

    page = client.get(APPLY)
    assert page.h1 == "Apply for an ASB Case Review" and page.has_exit_this_page()
    text = page.text()
    assert "Monday 2 November 2026" in text and "Tuesday 1 September 2026" in text
    assert "Other Person" not in page.html and "other@example.org" not in page.html
    assert "other household" not in text, "nothing of other residents"
    assert [
        name
        for name in ("elsewhere_0_on", "elsewhere_1_on", "elsewhere_2_on")
        if page.soup.find(attrs={"name": name})
    ]
    assert page.soup.find(attrs={"name": "elsewhere_3_on"}) is None


def test_a_resident_applies_with_one_report_to_the_police_checks_it_and_is_told_when_the_decision_is_due(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = eligible(app)
    signed_in(app, client, mailbox, reference)
    check = check_answers(client, answers(**police_last_week()))
    assert check.h1 == "Check your application before you send it" and check.has_exit_this_page()
    assert ACCOUNT in check.text()
    assert f"{long_date(today() - timedelta(days=7))}: the police" in check.text()

    sent = client.post(
        APPLY, {"csrf_token": check.csrf_token(), "send": "yes", **answers(**police_last_week())}
    )
    assert sent.path == "/your-report/case-review/sent" and sent.has_exit_this_page()
    with app.app_context():
        [review] = db.session.scalars(select(CaseReview)).all()
        [entry] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.CASE_REVIEW_APPLIED)
        )
        assert review.channel == "online" and review.taken_by_id is None and entry.actor_id is None
        assert review.account == ACCOUNT
        assert review.reported_elsewhere == [
            {"reported_on": (today() - timedelta(days=7)).isoformat(), "agency": "police"}
        ]
        due = review.decision_due
    assert f"We will tell you by {long_date(due)}" in sent.text()

    case = client.get("/your-report/case")
    position = case.soup.select_one("#case-review-position")
    assert position is not None
    assert position.get_text(strip=True) == (
        f"We are deciding whether your application meets the threshold. We will tell you by {long_date(due)}."
    )
    assert case.soup.find("a", string="Apply for an ASB Case Review") is None, "one open at a time"
    again = client.get(APPLY)
    assert "You have already applied for an ASB Case Review on this report" in again.text()
    assert again.soup.find("textarea") is None


def test_changing_the_answers_from_the_check_page_keeps_every_one(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    signed_in(app, client, mailbox, eligible(app))
    check = check_answers(client, answers(**police_last_week()))
    changed = client.post(
        APPLY, {"csrf_token": check.csrf_token(), "change": "yes", **answers(**police_last_week())}
    )
    assert changed.h1 == "Apply for an ASB Case Review" and changed.errors == []
    assert changed.value("account") == ACCOUNT
    assert changed.value("elsewhere_0_agency") == "police"
    assert [box["value"] for box in changed.soup.find_all(attrs={"name": "elsewhere_0_on"})] == parts(
        today() - timedelta(days=7)
    )


def test_another_row_is_added_without_javascript_keeping_what_was_typed(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    signed_in(app, client, mailbox, eligible(app))
    page = client.post_form(APPLY, {**answers(**police_last_week()), "add_another": "yes"})
    assert page.errors == [] and page.status == 200
    assert page.soup.find(attrs={"name": "elsewhere_3_on"}) is not None
    assert page.value("rows") == "4"
    assert page.value("account") == ACCOUNT and page.value("elsewhere_0_agency") == "police"


def test_an_empty_application_says_what_to_enter(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    signed_in(app, client, mailbox, eligible(app))
    page = client.post_form(APPLY, {"account": "", "rows": "3", **police_last_week()})
    assert page.status == 400 and page.title.startswith("Error:")
    assert page.errors == ["Enter what has been happening"]
    assert page.value("elsewhere_0_agency") == "police", "what was typed is kept"


def test_a_report_elsewhere_dated_tomorrow_is_refused_against_its_date_and_the_answers_are_kept(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    signed_in(app, client, mailbox, eligible(app))
    tomorrow = {"elsewhere_1_on": parts(today() + timedelta(days=1)), "elsewhere_1_agency": "landlord"}
    check = check_answers(client, answers(**police_last_week(), **tomorrow))
    page = client.post(
        APPLY, {"csrf_token": check.csrf_token(), "send": "yes", **answers(**police_last_week(), **tomorrow)}
    )
    assert page.status == 400
    assert page.errors == [
        "The date of report 2 must be today or earlier: a report cannot be dated in the future"
    ]
    error_link = page.soup.select_one(".govuk-error-summary__list a")
    assert error_link is not None and error_link["href"] == "#elsewhere_1_on"
    assert page.value("account") == ACCOUNT and page.value("elsewhere_1_agency") == "landlord"
    with app.app_context():
        assert db.session.scalars(select(CaseReview)).all() == []


def test_a_row_with_a_date_and_no_agency_or_a_date_that_is_not_real_is_refused(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    signed_in(app, client, mailbox, eligible(app))
    page = check_answers(
        client,
        answers(
            elsewhere_0_on=parts(today() - timedelta(days=3)),
            elsewhere_1_on=["31", "2", "2026"],
            elsewhere_1_agency="council",
        ),
    )
    assert page.status == 400
    assert page.errors == [
        "Choose where you made report 1",
        "The date of report 2 must be a real date, like 27 11 2026",
    ]
    boxes = page.soup.find_all(attrs={"name": "elsewhere_1_on"})
    assert [box["value"] for box in boxes] == ["31", "2", "2026"], "what was typed is kept"


def test_a_report_that_is_not_anti_social_behaviour_takes_no_application(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    reference = resident_case(app, kind="safety_concern")
    signed_in(app, client, mailbox, reference)
    page = client.get(APPLY)
    assert (
        "An ASB Case Review is for anti-social behaviour; your report is about a safety concern"
        in page.text()
    )
    assert page.soup.find("textarea") is None
    token = client.get("/your-report/case").csrf_token()
    refused = client.post(APPLY, {"csrf_token": token, **answers()})
    assert refused.soup.find("textarea") is None
    with app.app_context():
        assert db.session.scalars(select(CaseReview)).all() == []


def test_the_pages_need_a_sign_in_and_are_never_cached(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    for url in (APPLY, "/your-report/case-review/sent"):
        response = client.get_raw(url)
        assert response.status_code == 302 and response.headers["Location"] == "/your-report"
    signed_in(app, client, mailbox, eligible(app))
    response = client.get_raw(APPLY)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]


def test_the_acknowledgement_of_an_eligible_report_says_to_apply_online_by_checking_the_report(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    for _ in range(3):  # the third ASB report in six months meets the threshold
        submit(client, "asb")
    *_, email = mailbox.to("sam.resident@example.org")
    text = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = email.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Your reports meet the threshold for a Case Review." in text
    assert (
        f"You can also apply online: check your report at {app.config['PUBLIC_BASE_URL']}/your-report "
        'and choose "Apply for an ASB Case Review".'
    ) in text
    assert f'href="{app.config["PUBLIC_BASE_URL"]}/your-report"' in html
    assert "/your-report/sign-in" not in text, "no link that signs anyone in"
