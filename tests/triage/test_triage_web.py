"""Triage in the resident's journey: the stored decision, alerts, and the ASB Case Review."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import OutboxMessage, Report
from portal.models.report import DecisionRewritten
from portal.reports.triage_policy import current_policy, policy_terms
from portal.triage.contract import HARM_QUESTIONS, KIND_BLOCKS, asked_details
from tests import factories
from tests.conftest import MailCatcher
from tests.helpers import PageClient
from tests.journey import choose, pages_answered, submit

ALERT_ADDRESS = "safeguarding.duty@ne-derbyshire.gov.uk"


def stored(app: Flask) -> list[Report]:
    with app.app_context():
        reports = db.session.scalars(select(Report).order_by(Report.id)).all()
        db.session.expunge_all()
        return list(reports)


def test_the_decision_is_stored_with_its_reasons_and_policy_version(app: Flask, client: PageClient) -> None:
    submit(client, "neighbour_dispute")
    [report] = stored(app)
    assert report.route == "mediation" and report.rule == "mediation.neighbour_dispute"
    with app.app_context():
        assert report.policy_version == current_policy().version
    assert "willing to try mediation" in report.reasons
    assert report.explanation["score"], "the points behind the score, in words"


def test_a_stored_decision_can_never_be_rewritten(app: Flask, client: PageClient) -> None:
    submit(client, "asb")
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        report.route = "mediation"
        with pytest.raises(DecisionRewritten, match="cannot be changed"):
            db.session.commit()
        db.session.rollback()


def test_safeguarding_alerts_the_duty_officer_with_the_reference_and_a_link_only(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    what = {**factories.WHAT["asb"], "description": "He said he is going to kill my dog."}
    choose(client, "asb")
    client.post_form("/report/what", what)
    for slug in ("details", "where", "when"):
        client.post_form(f"/report/{slug}", dict(pages_answered("asb"))[slug])
    client.post_form("/report/impact", factories.IMPACT)
    client.post_form("/report/evidence", {"continue": "continue"})
    client.post_form("/report/about-you", factories.about())
    client.post_form("/report/check")

    [report] = stored(app)
    assert "safeguarding" in report.flags
    [alert] = mailbox.to(ALERT_ADDRESS)
    assert report.reference in alert["Subject"]
    for part in ("plain", "html"):
        body = alert.get_body((part,)).get_content()
        assert f"/officer/cases/{report.reference}" in body
        for private in ("going to kill", "Sam Resident", "Station Road", "sam.resident@example.org", "07700"):
            assert private not in body


def test_no_alert_without_a_safeguarding_flag(app: Flask, client: PageClient, mailbox: MailCatcher) -> None:
    submit(client, "neighbour_dispute")
    assert mailbox.to(ALERT_ADDRESS) == []


def test_a_second_asb_report_explains_the_case_review_and_a_third_says_how_to_apply(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    first = submit(client, "asb")
    assert "ASB Case Review" not in first.text()

    second = submit(client, "asb")
    assert "Your right to an ASB Case Review" in second.text()
    assert "meet the threshold" not in second.text()

    third = submit(client, "asb")
    assert "Your reports meet the threshold for a Case Review" in third.text()

    emails = mailbox.to("sam.resident@example.org")
    assert len(emails) == 3
    bodies = [email.get_body(("plain",)).get_content() for email in emails]
    assert "ASB Case Review" not in bodies[0]
    assert "Your right to an ASB Case Review" in bodies[1] and "meet the threshold" not in bodies[1]
    assert "Your reports meet the threshold for a Case Review" in bodies[2]
    assert "To apply, phone" in bodies[2]
    flags = [report.flags for report in stored(app)]
    assert "case_review_explained" in flags[1] and "case_review_eligible" in flags[2]


# --- the web journey and the command decide alike ---------------------------------------------


def _form_answers(draw: st.DrawFn, kind: str) -> dict[str, dict[str, Any]]:
    _block, types, answers = KIND_BLOCKS[kind]
    harm = draw(st.lists(st.sampled_from(HARM_QUESTIONS), unique=True))
    return {
        "what": {
            "types": draw(st.lists(st.sampled_from(types), min_size=1, max_size=3, unique=True)),
            "description": draw(st.sampled_from(["Noise at night", "He had a knife", "Bins everywhere"])),
        },
        "details": {answer: draw(st.sampled_from(["yes", "no"])) for answer in answers},
        "where": {"address": "3 Mill Lane", "postcode": draw(st.sampled_from(["s181ab", "S42 6NG"]))},
        "when": {
            "started": draw(st.sampled_from(["today", "this_month", "over_six_months"])),
            "frequency": draw(st.sampled_from(["once", "weekly", "daily"])),
            "previous_reports": draw(st.sampled_from(["none", "once", "two_or_more"])),
        },
        "impact": {"harm": harm or ["none"]},
        "about-you": factories.about_for(
            kind,
            safe_to_email=draw(st.sampled_from(["yes", "no"])),
            lives_in_district=draw(st.sampled_from(["yes", "no"])),
        ),
    }


def _as_contract(kind: str, pages: dict[str, dict[str, Any]], submitted_at: str) -> dict[str, Any]:
    block, _types, answers = KIND_BLOCKS[kind]
    yes = {a: pages["details"][a] == "yes" for a in answers}
    about = pages["about-you"]
    where, when = pages["where"], pages["when"]
    return {
        "kind": kind,
        "submitted_at": submitted_at,
        "description": pages["what"]["description"],
        "location": {"address": where["address"], "postcode": where["postcode"]},
        "reporter": {
            "name": about["name"],
            "email": about["email"],
            "phone": about["phone"],
            "safe_to_email": about["safe_to_email"] == "yes",
            "safe_to_phone": about["safe_to_phone"] == "yes",
            "lives_in_district": about["lives_in_district"] == "yes",
        },
        "started": when["started"],
        "frequency": when["frequency"],
        "previous_reports": when["previous_reports"],
        "harm": {question: question in pages["impact"]["harm"] for question in HARM_QUESTIONS},
        # Only the questions the resident was asked: a follow-up after a no is not asked, so false.
        block: {"types": pages["what"]["types"], **{a: yes[a] for a in asked_details(kind, yes)}},
    }


_addresses = itertools.count()


@pytest.mark.fuzz
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_same_answers_get_the_same_decision_from_the_web_and_the_command(
    app: Flask, data: st.DataObject
) -> None:
    kind = data.draw(st.sampled_from(sorted(KIND_BLOCKS)))
    pages = data.draw(
        st.builds(lambda: None).flatmap(lambda _: st.composite(lambda draw: _form_answers(draw, kind))())
    )
    # Each example is another resident, from an address of their own (the limits count per address).
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(_addresses) % 250 + 1}"
    client = PageClient(browser)
    choose(client, kind)
    for slug in ("what", "details", "where", "when", "impact"):
        assert not client.post_form(f"/report/{slug}", pages[slug]).errors
    client.post_form("/report/evidence", {"continue": "continue"})
    assert not client.post_form("/report/about-you", pages["about-you"]).errors
    client.post_form("/report/check")

    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        web = {
            "route": report.route,
            "rule": report.rule,
            "risk_score": report.risk_score,
            "risk_level": report.risk_level,
            "flags": report.flags,
            "due_by": report.due_by.isoformat(),
            "reasons": report.reasons,
        }
        submitted_at = report.submitted_at.isoformat()
        # The command must see the same history the web saw: none.
        db.session.execute(delete(OutboxMessage))
        db.session.execute(delete(Report))
        db.session.commit()

    result = app.test_cli_runner().invoke(
        args=["triage", "check", "-"], input=json.dumps(_as_contract(kind, pages, submitted_at))
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [web]


def test_the_policy_page_shows_the_policy_in_use_in_order(app: Flask, officer_client: PageClient) -> None:
    page = officer_client.get("/officer/policy")
    text = page.text()
    with app.app_context():
        policy = current_policy()
    assert policy.version in text
    positions = [text.index(f"rule {rule.id}") for rule in policy.rules]
    assert positions == sorted(positions), "rules appear in the order they are tried"
    assert "Someone has been hurt or threatened 5" in text
    assert "Medium 7 to 13 3 working days" in text
    assert "at least high for violence or threats together with feeling unsafe or a vulnerable person" in text


def test_residents_are_told_the_policy_s_own_numbers(app: Flask) -> None:
    with app.app_context():
        terms = policy_terms()
    assert terms == {
        "history_months": 6,
        "response_working_days": {"high": 1, "medium": 3, "standard": 10},
        "case_review_reports": 3,
        "case_review_reporters": 5,
    }
