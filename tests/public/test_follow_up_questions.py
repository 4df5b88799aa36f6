"""Questions that follow the answers (GOV.UK conditional questions), and how to contact a victim safely.

Each follow-up is drawn inside the answer it follows, so it works without JavaScript: it is checked
only when that answer applies, and an answer left in a question that does not apply is not stored.
"""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import Tag
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Draft, Report
from tests import factories
from tests.helpers import Page, PageClient
from tests.journey import choose, fill_until, submit

WHAT_ASB = {"types": ["noise"], "description": "Loud music every night"}


def draft_answers(app: Flask) -> dict[str, Any]:
    with app.app_context():
        return dict(db.session.scalars(select(Draft)).one().answers)


def stored_report(app: Flask) -> Report:
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        db.session.expunge(report)
        return report


def revealed_under(page: Page, name: str, value: str) -> Tag:
    """The conditional block that the answer ``value`` to ``name`` reveals."""
    radio = page.soup.find("input", attrs={"name": name, "value": value})
    assert isinstance(radio, Tag), f"no answer {value} to {name}"
    target = radio.get("data-aria-controls")
    assert target, f"the answer {value} to {name} reveals nothing"
    block = page.soup.find(id=str(target))
    assert isinstance(block, Tag) and "govuk-radios__conditional" in block.get("class", [])
    return block


def names_in(block: Tag) -> set[str]:
    return {str(control["name"]) for control in block.find_all(["input", "textarea"]) if control.get("name")}


def about_you(client: PageClient, kind: str = "asb") -> None:
    fill_until(client, kind, stop_before="about-you")


def at_details(client: PageClient, kind: str = "asb") -> Page:
    """Open a ``kind`` draft and answer "What is happening?" (types ["noise"] for anti-social behaviour)."""
    choose(client, kind)
    return client.post_form("/report/what", WHAT_ASB if kind == "asb" else factories.WHAT[kind])


# --- The people involved: who is responsible, a neighbour, mediation --------------------------


def test_the_neighbour_question_follows_knowing_who_and_mediation_follows_a_neighbour(
    client: PageClient,
) -> None:
    page = at_details(client)
    under_known = revealed_under(page, "perpetrators_known", "yes")
    assert "perpetrator_is_neighbour" in names_in(under_known)
    under_neighbour = revealed_under(page, "perpetrator_is_neighbour", "yes")
    assert names_in(under_neighbour) == {"willing_to_mediate"}
    # Not knowing who is responsible reveals nothing.
    no = page.soup.find("input", attrs={"name": "perpetrators_known", "value": "no"})
    assert isinstance(no, Tag) and not no.get("data-aria-controls")


def test_a_dispute_always_asks_about_mediation(client: PageClient) -> None:
    page = at_details(client, "neighbour_dispute")
    mediate = page.soup.find("input", attrs={"name": "willing_to_mediate"})
    assert isinstance(mediate, Tag) and mediate.find_parent(class_="govuk-radios__conditional") is None


def test_follow_ups_are_needed_only_after_a_yes(app: Flask, client: PageClient) -> None:
    at_details(client)
    page = client.post_form("/report/details", {"perpetrators_known": "yes"})
    assert page.errors == ["Select yes if the person responsible is one of your neighbours"]
    page = client.post_form(
        "/report/details", {"perpetrators_known": "yes", "perpetrator_is_neighbour": "yes"}
    )
    assert page.errors == ["Select yes if you would be willing to try mediation"]
    page = client.post_form(
        "/report/details", {"perpetrators_known": "yes", "perpetrator_is_neighbour": "no"}
    )
    assert not page.errors
    assert draft_answers(app)["asb"] == {
        "types": ["noise"],
        "perpetrators_known": True,
        "perpetrator_is_neighbour": False,
    }


def test_answers_to_follow_ups_not_asked_are_not_stored(app: Flask, client: PageClient) -> None:
    """Without JavaScript every follow-up is on the page: what is left in one that does not apply
    (even a choice that is not one of its answers) is dropped, not stored and not refused."""
    at_details(client)
    page = client.post_form(
        "/report/details",
        {
            "perpetrators_known": "no",
            "perpetrator_is_neighbour": "yes",
            "willing_to_mediate": "x",
        },
    )
    assert not page.errors
    assert draft_answers(app)["asb"] == {"types": ["noise"], "perpetrators_known": False}


def test_changing_to_not_knowing_who_drops_the_follow_ups(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", about=factories.about(), stop_before=None)
    chain = {"perpetrators_known": "yes", "perpetrator_is_neighbour": "yes", "willing_to_mediate": "yes"}
    page = client.post_form("/report/details?change=1", chain)
    assert page.h1 == "Check your answers before sending your report"
    assert "Would you be willing to try mediation? Yes" in page.text()

    again = client.get("/report/details?change=1")
    assert again.value("willing_to_mediate") == "yes", "the Change link shows the follow-ups answered"
    page = client.post_form("/report/details?change=1", {**chain, "perpetrators_known": "no"})
    assert "one of your neighbours" not in page.text() and "mediation" not in page.text()
    assert draft_answers(app)["asb"] == {"types": factories.WHAT["asb"]["types"], "perpetrators_known": False}
    submit_page = client.post_form("/report/check")
    assert submit_page.h1.startswith("Report sent")
    assert stored_report(app).details == {
        "perpetrators_known": False,
        "perpetrator_is_neighbour": False,
        "willing_to_mediate": False,
    }


# --- About you: anonymity, and each channel's follow-ups --------------------------------------


def test_staying_anonymous_hides_the_contact_questions_under_giving_details(client: PageClient) -> None:
    about_you(client)
    page = client.get("/report/about-you")
    label = page.soup.find("label", attrs={"for": "anonymous-2"})
    assert label is not None and label.get_text(strip=True) == "No, I'm happy to give my details"
    assert names_in(revealed_under(page, "anonymous", "no")) == {
        "name",
        "email",
        "safe_to_email",
        "phone",
        "safe_to_phone",
        "safe_call_times",
        "voicemail_ok",
        "text_ok",
        "safe_alternative_contact",
    }
    assert names_in(revealed_under(page, "safe_to_phone", "yes")) == {"safe_call_times", "voicemail_ok"}


def test_a_safety_concern_asks_for_contact_details_without_a_reveal(client: PageClient) -> None:
    about_you(client, "safety_concern")
    page = client.get("/report/about-you")
    assert page.soup.find(attrs={"name": "anonymous"}) is None
    name = page.soup.find("input", attrs={"name": "name"})
    assert isinstance(name, Tag) and name.find_parent(class_="govuk-radios__conditional") is None


def test_the_email_and_phone_questions_follow_their_boxes(client: PageClient) -> None:
    """With JavaScript, static/js/follow-ups.js shows them once the box has something in it."""
    about_you(client)
    page = client.get("/report/about-you")
    for box, questions in (("email", {"safe_to_email"}), ("phone", {"safe_to_phone", "text_ok"})):
        follows = page.soup.find(attrs={"data-follows": box})
        assert isinstance(follows, Tag)
        assert questions <= names_in(follows)


def test_answers_given_before_choosing_anonymity_are_not_stored(app: Flask, client: PageClient) -> None:
    about_you(client)
    page = client.post_form(
        "/report/about-you",
        factories.about(
            anonymous="yes",
            name="x" * 500,  # too long, but not asked: no error
            safe_call_times="Mornings",
            safe_alternative_contact="My sister",
            text_ok="perhaps",
        ),
    )
    assert page.h1 == "Check your answers before sending your report", page.errors
    reporter = draft_answers(app)["reporter"]
    assert reporter == {
        "anonymous": True,
        "name": "",
        "email": "",
        "phone": "",
        "safe_to_email": False,
        "safe_to_phone": False,
        "safe_call_times": "",
        "voicemail_ok": None,
        "text_ok": None,
        "safe_alternative_contact": "",
        "lives_in_district": True,
    }
    text = page.text()
    assert "Sam Resident" not in text and "My sister" not in text and "Mornings" not in text
    client.post_form("/report/check")
    report = stored_report(app)
    assert (report.reporter_name, report.safe_call_times, report.safe_alternative_contact) == ("", "", "")
    assert (report.voicemail_ok, report.text_ok) == (None, None)


def test_not_choosing_whether_to_stay_anonymous_asks_only_that(client: PageClient) -> None:
    about_you(client)
    page = client.post_form("/report/about-you", {"lives_in_district": "yes"})
    assert page.errors == ["Select yes if you want to stay anonymous"]


def test_safe_to_email_is_asked_only_once_an_email_is_given(app: Flask, client: PageClient) -> None:
    about_you(client)
    page = client.post_form(
        "/report/about-you", factories.about(email="", safe_to_email=None, safe_to_phone="no", text_ok="no")
    )
    assert not page.errors
    reporter = draft_answers(app)["reporter"]
    assert reporter["email"] == "" and reporter["safe_to_phone"] is False
    page = client.post_form("/report/about-you", factories.about(safe_to_email=None))
    assert page.errors == ["Select yes if it is safe for us to email you"]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        pytest.param({"voicemail_ok": None}, ["Select yes if we can leave you a voicemail"], id="voicemail"),
        pytest.param(
            {"text_ok": None}, ["Select yes if it is safe for us to send you a text message"], id="text"
        ),
        pytest.param(
            {"safe_to_phone": "no", "voicemail_ok": None, "safe_call_times": "x" * 500},
            [],
            id="not-safe-to-phone",
        ),
        pytest.param(
            {"phone": "", "safe_to_phone": None, "voicemail_ok": None, "text_ok": None}, [], id="no-phone"
        ),
        pytest.param(
            {"safe_call_times": "x" * 201},
            ["When it is safe to phone you must be 200 characters or fewer"],
            id="call-times-too-long",
        ),
        pytest.param(
            {"safe_alternative_contact": "x" * 501},
            ["Another safe way to contact you must be 500 characters or fewer"],
            id="alternative-too-long",
        ),
    ],
)
def test_the_phone_questions_are_needed_only_where_they_apply(
    client: PageClient, changes: dict[str, Any], errors: list[str]
) -> None:
    about_you(client)
    page = client.post_form("/report/about-you", factories.about(**changes))
    assert page.errors == errors


def test_safe_contact_is_stored_shown_to_check_and_kept_on_the_report(app: Flask, client: PageClient) -> None:
    about = factories.about_for(
        "safety_concern",
        safe_call_times="Weekday mornings, before 11am",
        voicemail_ok="no",
        text_ok="no",
        safe_alternative_contact="My sister Jo, on 07700 900123",
    )
    check = fill_until(client, "safety_concern", about=about)
    text = check.text()
    assert "Safe times to phone you Weekday mornings, before 11am" in text
    assert "Leave a voicemail No" in text
    assert "Safe to text you No" in text
    assert "Another safe way to contact you My sister Jo, on 07700 900123" in text

    again = client.get("/report/about-you?change=1")
    assert again.value("safe_call_times") == "Weekday mornings, before 11am"
    assert (again.value("voicemail_ok"), again.value("text_ok")) == ("no", "no")
    assert again.value("safe_alternative_contact").strip() == "My sister Jo, on 07700 900123"

    client.post_form("/report/check")
    report = stored_report(app)
    assert report.safe_call_times == "Weekday mornings, before 11am"
    assert (report.voicemail_ok, report.text_ok) == (False, False)
    assert report.safe_alternative_contact == "My sister Jo, on 07700 900123"


def test_phoning_not_safe_stores_no_call_times_or_voicemail(app: Flask, client: PageClient) -> None:
    about = factories.about(safe_to_phone="no", safe_call_times="Evenings", voicemail_ok="yes", text_ok="yes")
    submit(client, "asb", about=about)
    report = stored_report(app)
    assert (report.safe_to_phone, report.safe_call_times, report.voicemail_ok, report.text_ok) == (
        False,
        "",
        None,
        True,
    )


def test_the_case_file_shows_how_to_reach_the_resident(app: Flask, client: PageClient) -> None:
    from portal.cases.casefile import answers

    about = factories.about(safe_call_times="After 6pm", voicemail_ok="no", safe_alternative_contact="Jo")
    submit(client, "asb", about=about)
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        reporter = dict(answers(report))["About the reporter"]
        shown = {answer.question: answer.lines for answer in reporter}
        what = {answer.question for answer in dict(answers(report))["What is happening"]}
    assert shown["Safe times to phone them"] == ("After 6pm",)
    assert shown["Leave a voicemail"] == ("No",)
    assert shown["Safe to text them"] == ("Yes",)
    assert shown["Another safe way to contact them"] == ("Jo",)
    # Not knowing who is responsible, the resident was not asked about a neighbour or mediation.
    assert what.isdisjoint(
        {"Is the person responsible one of your neighbours?", "Would you be willing to try mediation?"}
    )
