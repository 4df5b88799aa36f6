"""The ASB Case Review in the back-office: an officer records an application from the case page,
finds it among the open ones, and decides its threshold on its page, seeing which part is met."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, before_render_template, template_rendered
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import CaseReview, TaskingAction
from portal.web.formatting import long_date
from tests.cases import make_case
from tests.helpers import Page, PageClient, today
from tests.officers import Account

VICTIM = "vic.victim@example.org"


def parts(day: object) -> list[str]:
    return [f"{day:%d}", f"{day:%m}", f"{day:%Y}"]  # type: ignore[str-format]


def victims_case(app: Flask, **changes: object) -> str:
    values: dict[str, object] = {"reporter_email": VICTIM, "email_key": VICTIM}
    values.update(changes)
    return make_case(app, **values)


def apply_url(reference: str) -> str:
    return f"/officer/cases/{reference}/case-review/apply"


def by_phone(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "channel": "phone",
        "applicant": "victim",
        "account": "Shouting and banging at the door every weekend.",
        "rows": "3",
        "elsewhere_0_on": parts(today() - timedelta(days=20)),
        "elsewhere_0_agency": "police",
        "elsewhere_1_on": parts(today() - timedelta(days=10)),
        "elsewhere_1_agency": "landlord",
    }
    data.update(changes)
    return data


def recorded(client: PageClient, reference: str, **changes: object) -> Page:
    page = client.post_form(apply_url(reference), by_phone(**changes))
    assert page.errors == [], page.errors
    return page


def test_the_case_page_links_to_record_an_application_and_lists_those_made(
    app: Flask, officer_client: PageClient
) -> None:
    reference = victims_case(app)
    case = officer_client.get(f"/officer/cases/{reference}")
    link = case.soup.find("a", string="Record an application")
    assert link is not None and link["href"] == apply_url(reference)

    page = recorded(officer_client, reference)
    assert page.h1.startswith("ASB Case Review") and "has been recorded" in page.text()
    case = officer_client.get(f"/officer/cases/{reference}")
    section = case.soup.find("h2", id="case-review")
    assert section is not None and "threshold decision due" in section.find_next("ul").get_text()  # type: ignore[union-attr]
    assert case.soup.find("a", string="Record an application") is None, "one open at a time"
    assert "Applied for an ASB Case Review" in case.soup.select_one(".portal-timeline").get_text()  # type: ignore[union-attr]


def test_an_officer_records_an_application_by_phone_for_the_victim_by_a_councillor_with_consent(
    app: Flask, officer_client: PageClient, officer: Account
) -> None:
    reference = victims_case(app)
    page = recorded(
        officer_client,
        reference,
        applicant="councillor",
        applicant_name="Cllr Pat Jones",
        applicant_phone="01246 231111",
        consent_given_on=parts(today()),
        consent_how="By phone to me, this morning",
    )
    assert "A councillor: Cllr Pat Jones" in page.text()
    assert "By phone to me, this morning" in page.text()
    with app.app_context():
        [review] = db.session.scalars(select(CaseReview)).all()
        assert review.channel == "phone" and review.taken_by_id == officer.id
        assert review.applicant == "councillor" and review.consent_given_on == today()


def test_someone_acting_for_the_victim_without_consent_is_refused_and_what_was_typed_is_kept(
    app: Flask, officer_client: PageClient
) -> None:
    reference = victims_case(app)
    page = officer_client.post_form(
        apply_url(reference),
        by_phone(applicant="family", applicant_name="Alex Victim", applicant_email="alex@example.org"),
    )
    assert page.status == 400 and page.title.startswith("Error:")
    assert page.errors == [
        "Enter the date the victim agreed to someone applying for them: an application for them cannot be "
        "taken without their consent"
    ]
    assert page.value("applicant_name") == "Alex Victim" and page.value("elsewhere_1_agency") == "landlord"
    with app.app_context():
        assert db.session.scalars(select(CaseReview)).all() == []


def test_an_application_on_a_case_that_is_not_asb_is_refused_saying_what_to_do(
    app: Flask, officer_client: PageClient
) -> None:
    reference = victims_case(app, kind="safety_concern", route="target_hardening")
    case = officer_client.get(f"/officer/cases/{reference}")
    assert case.soup.find("a", string="Record an application") is None
    page = officer_client.get(apply_url(reference))
    assert "An ASB Case Review is for anti-social behaviour; this case is a safety concern" in page.text()
    assert page.soup.find("form", attrs={"method": "post", "novalidate": True}) is None


def test_a_report_elsewhere_dated_tomorrow_is_shown_against_its_own_date(
    app: Flask, officer_client: PageClient
) -> None:
    reference = victims_case(app)
    page = officer_client.post_form(
        apply_url(reference), by_phone(elsewhere_1_on=parts(today() + timedelta(days=1)))
    )
    assert page.status == 400
    assert page.errors == [
        "The date of report 2 made elsewhere must be today or earlier: a report cannot be dated in the future"
    ]
    link = page.soup.select_one(".govuk-error-summary__list a")
    assert link is not None and link["href"] == "#elsewhere_1_on"


def test_the_list_puts_overdue_applications_first_with_counts_and_links_to_the_case(
    app: Flask, officer_client: PageClient
) -> None:
    first, second = (
        victims_case(app),
        victims_case(app, reporter_email="b@example.org", email_key="b@example.org"),
    )
    recorded(officer_client, first)
    recorded(officer_client, second)
    with app.app_context():
        late = db.session.scalars(select(CaseReview).order_by(CaseReview.id.desc())).first()
        assert late is not None
        late.decision_due = today() - timedelta(days=2)
        db.session.commit()
    page = officer_client.get("/officer/case-reviews")
    assert page.h1 == "ASB Case Reviews"
    rows = page.soup.select("tbody tr")
    assert [row.find("a").get_text() for row in rows] == [second, first]  # type: ignore[union-attr]
    assert "Overdue" in rows[0].get_text() and "Overdue" not in rows[1].get_text()
    assert "Threshold decision due: 2" in page.text() and "Overdue: 1" in page.text()
    assert rows[0].find("a")["href"] == f"/officer/cases/{second}"  # type: ignore[index]
    queue = officer_client.get("/officer/")
    assert queue.soup.find("a", string="ASB Case Reviews", href="/officer/case-reviews") is not None


def test_the_officer_decides_the_threshold_seeing_which_part_is_met(
    app: Flask, officer_client: PageClient
) -> None:
    reference = victims_case(app)
    recorded(officer_client, reference)
    with app.app_context():
        review_id = db.session.scalars(select(CaseReview.id)).one()
    url = f"/officer/case-reviews/{review_id}"
    page = officer_client.get(url)
    assert page.value("met") == "yes", "the count's answer is offered"
    reasons = page.soup.select_one("#threshold-reasons").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert (
        reasons
        == "3 reports by the applicant in 6 months: 1 to this portal, 1 to the police, 1 to the landlord"
    )

    decided = officer_client.post(
        f"{url}/threshold", {"csrf_token": page.csrf_token(), "met": "yes", "note": ""}
    )
    assert decided.path == url and "The threshold decision has been recorded" in decided.text()
    assert "Threshold met" in decided.text()
    assert decided.soup.find("input", attrs={"name": "met"}) is None, "decided once"
    assert "It met the threshold: the partner agencies will review how they dealt with it." in decided.text()


def test_deciding_against_the_count_without_a_reason_is_refused_keeping_the_answer(
    app: Flask, officer_client: PageClient
) -> None:
    reference = victims_case(app)
    recorded(officer_client, reference, elsewhere_0_agency="", elsewhere_0_on=["", "", ""])
    with app.app_context():
        review_id = db.session.scalars(select(CaseReview.id)).one()
    url = f"/officer/case-reviews/{review_id}"
    page = officer_client.get(url)
    assert page.value("met") == "no"
    refused = officer_client.post(
        f"{url}/threshold", {"csrf_token": page.csrf_token(), "met": "yes", "note": ""}
    )
    assert refused.status == 400
    assert refused.errors == [
        "Enter the reason for your decision: by the count the application does not meet the threshold"
    ]
    assert refused.value("met") == "yes"
    empty = officer_client.post(f"{url}/threshold", {"csrf_token": page.csrf_token()})
    assert empty.errors == ["Select whether the application meets the threshold"]


def test_the_review_page_shows_the_later_steps_read_only_once_recorded(
    app: Flask, officer_client: PageClient
) -> None:
    reference = victims_case(app)
    recorded(officer_client, reference)
    with app.app_context():
        review = db.session.scalars(select(CaseReview)).one()
        review.stage = "outcome_sent"
        review.review_due = today()
        review.meeting_on = today() - timedelta(days=1)
        review.chair_name = "Jo Chair"
        review.findings = "Patrols were not kept up"
        review.outcome_due = today() + timedelta(days=5)
        review.outcome_sent_on = today()
        review.outcome_summary = "Patrols to restart"
        db.session.add(
            TaskingAction(
                report_id=review.report_id,
                case_review_id=review.id,
                description="Weekly patrols",
                owner="Police",
                due_date=today() + timedelta(days=30),
                created_at=datetime.now(UTC),
            )
        )
        db.session.commit()
        review_id = review.id
    page = officer_client.get(f"/officer/case-reviews/{review_id}")
    text = page.text()
    for shown in ("Jo Chair", "Patrols were not kept up", "Patrols to restart"):
        assert shown in text, shown
    rows = [[cell.get_text(strip=True) for cell in row.select("td")] for row in page.soup.select("table tr")]
    assert ["Weekly patrols", "Police"] in [row[:2] for row in rows], "the recommendation and its owner"
    assert f"We sent you the outcome of the review on {long_date(today())}" in text
    assert page.soup.find("input", attrs={"name": "met"}) is None


def test_a_missing_review_is_not_found(officer_client: PageClient) -> None:
    assert officer_client.get_raw("/officer/case-reviews/999").status_code == 404


def test_the_review_page_runs_no_query_while_it_renders(app: Flask, officer_client: PageClient) -> None:
    """Its template is given the review fully loaded, with its case and recommendations."""
    reference = victims_case(app)
    recorded(officer_client, reference)
    with app.app_context():
        review_id = db.session.scalars(select(CaseReview.id)).one()
        engine = db.engine
    rendering: list[str] = []
    state = {"on": False}

    def capture(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if state["on"]:
            rendering.append(statement)

    def started(_app: Flask, template: Any, **_extra: Any) -> None:
        state["on"] = state["on"] or template.name == "officer/case_review.html"

    def finished(_app: Flask, template: Any, **_extra: Any) -> None:
        if template.name == "officer/case_review.html":
            state["on"] = False

    event.listen(engine, "before_cursor_execute", capture)
    before_render_template.connect(started, app)
    template_rendered.connect(finished, app)
    try:
        for _ in ("before the decision", "after it"):
            page = officer_client.get(f"/officer/case-reviews/{review_id}")
            assert page.h1 == f"ASB Case Review {review_id}"
            if page.soup.find("input", attrs={"name": "met"}) is not None:
                officer_client.post(
                    f"/officer/case-reviews/{review_id}/threshold",
                    {"csrf_token": page.csrf_token(), "met": "yes", "note": ""},
                )
    finally:
        template_rendered.disconnect(finished, app)
        before_render_template.disconnect(started, app)
        event.remove(engine, "before_cursor_execute", capture)
    assert rendering == []


def test_an_incident_the_victim_added_is_counted_and_named_as_an_incident(
    app: Flask, officer_client: PageClient
) -> None:
    from portal.models import Report
    from portal.reports.incidents import NewIncident, add_incident
    from portal.triage.calendar import london_today
    from portal.triage.contract import HARM_QUESTIONS

    reference = victims_case(app, submitted_at=datetime.now(UTC) - timedelta(days=10))
    with app.app_context():
        case_id = db.session.scalars(select(Report.id).where(Report.reference == reference)).one()
        add_incident(
            case_id,
            NewIncident(
                occurred_on=london_today() - timedelta(days=1),
                what_happened="They shouted at my door again.",
                harm=dict.fromkeys(HARM_QUESTIONS, False),
            ),
            [],
        )
    recorded(officer_client, reference)
    with app.app_context():
        review_id = db.session.scalars(select(CaseReview.id)).one()
    counted = officer_client.get(f"/officer/case-reviews/{review_id}").text()
    assert "2 ASB reports by the victim to this portal" in counted
    assert counted.count("(an incident added to a report)") == 1
