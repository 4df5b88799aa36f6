"""Every question page refuses answers it cannot use, and says what to do in the GOV.UK words."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Report
from portal.triage.contract import KIND_BLOCKS, KINDS
from tests import factories
from tests.helpers import Page, PageClient
from tests.journey import answer_pages, choose, fill_until

WHAT_PAGE = "What is happening?"
DETAILS_PAGES = {
    "asb": "About the people responsible",
    "neighbour_dispute": "About your neighbour and the dispute",
    "safety_concern": "About the person involved",
}
WHERE_PAGE = "Where is it happening?"
WHEN_PAGE = "When is it happening?"
CHECK_PAGE = "Check your answers before sending your report"

TYPES_ERRORS = {
    "asb": "Select what kind of anti-social behaviour it is",
    "neighbour_dispute": "Select what the dispute is about",
    "safety_concern": "Select what has happened",
}

# A safety concern asks what has happened to the resident; the others, what is happening.
DESCRIPTION_TOPICS = {
    "asb": "what is happening",
    "neighbour_dispute": "what is happening",
    "safety_concern": "what has happened",
}

# Each kind's own yes/no questions, in the order the page asks them, with the error for no answer.
YES_NO_ERRORS = {
    "asb": [
        ("perpetrators_known", "Select yes if you know who is responsible"),
        ("perpetrator_is_neighbour", "Select yes if the person responsible is one of your neighbours"),
        ("willing_to_mediate", "Select yes if you would be willing to try mediation"),
    ],
    "neighbour_dispute": [
        ("spoken_to_neighbour", "Select yes if you have spoken to your neighbour about it"),
        ("willing_to_mediate", "Select yes if you would be willing to try mediation"),
        ("neighbour_address_known", "Select yes if you know your neighbour's address"),
        ("legal_action_underway", "Select yes if anyone is taking legal action about this"),
    ],
    "safety_concern": [
        ("perpetrator_lives_at_address", "Select yes if the person lives at your address"),
    ],
}


# The answers that lead to each follow-up question: it is asked, and needed, only after them.
LEADS_TO = {
    ("asb", "perpetrator_is_neighbour"): {"perpetrators_known": "yes"},
    ("asb", "willing_to_mediate"): {"perpetrators_known": "yes", "perpetrator_is_neighbour": "yes"},
}


def reports_stored(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report)) or 0


def without(answers: dict[str, Any], *names: str) -> dict[str, Any]:
    return {key: value for key, value in answers.items() if key not in names}


def at_where(client: PageClient, kind: str = "asb") -> None:
    fill_until(client, kind, stop_before="where")


def at_about_you(client: PageClient, kind: str = "asb") -> None:
    fill_until(client, kind, stop_before="about-you")


def finish_from_when(client: PageClient) -> Page:
    """Answer the pages after "Where", arriving at check your answers."""
    client.post_form("/report/when", factories.WHEN)
    client.post_form("/report/impact", factories.IMPACT)
    client.post_form("/report/evidence", {"continue": "continue"})
    return client.post_form("/report/about-you", factories.about())


def assert_refused(page: Page, *errors: str) -> None:
    """The page came back with exactly these errors, and says so in the browser title."""
    assert page.status == 200
    assert page.errors == list(errors)
    assert page.title.startswith("Error: ")


# --- One topic a page -------------------------------------------------------------------------

# The most problems a question page left empty can list: each page asks about one thing. The most
# is a neighbour dispute's four questions about the neighbour; "What is happening?" once listed six.
MOST_ERRORS_A_PAGE = 4


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("slug", ["what", "details", "where", "when", "impact", "about-you"])
def test_a_question_page_left_empty_lists_only_the_problems_of_its_own_topic(
    client: PageClient, kind: str, slug: str
) -> None:
    fill_until(client, kind, stop_before=slug)
    page = client.post_form(f"/report/{slug}", {})
    assert page.title.startswith("Error: ")
    assert 1 <= len(page.errors) <= MOST_ERRORS_A_PAGE, page.errors


# --- What is happening ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_what_needs_the_types_and_a_description(app: Flask, client: PageClient, kind: str) -> None:
    choose(client, kind)
    page = client.post_form("/report/what", {})
    assert page.h1 == WHAT_PAGE
    assert_refused(page, TYPES_ERRORS[kind], f"Enter {DESCRIPTION_TOPICS[kind]}")
    assert reports_stored(app) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_what_needs_at_least_one_type_ticked(client: PageClient, kind: str) -> None:
    choose(client, kind)
    page = client.post_form("/report/what", without(factories.WHAT[kind], "types"))
    assert_refused(page, TYPES_ERRORS[kind])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("description", ["", "   \n  "], ids=["empty", "only spaces"])
def test_what_needs_a_description(client: PageClient, kind: str, description: str) -> None:
    choose(client, kind)
    page = client.post_form("/report/what", {**factories.WHAT[kind], "description": description})
    assert_refused(page, f"Enter {DESCRIPTION_TOPICS[kind]}")


@pytest.mark.parametrize("kind", KINDS)
def test_what_description_must_be_4000_characters_or_fewer(app: Flask, client: PageClient, kind: str) -> None:
    choose(client, kind)
    page = client.post_form("/report/what", {**factories.WHAT[kind], "description": "a" * 4001})
    assert_refused(page, f"{DESCRIPTION_TOPICS[kind].capitalize()} must be 4,000 characters or fewer")
    assert reports_stored(app) == 0


def test_what_accepts_a_description_of_exactly_4000_characters(client: PageClient) -> None:
    choose(client, "asb")
    page = client.post_form("/report/what", {**factories.WHAT["asb"], "description": "a" * 4000})
    assert not page.errors
    assert page.h1 == DETAILS_PAGES["asb"]


@pytest.mark.parametrize("kind", KINDS)
def test_what_keeps_what_was_typed_and_ticked_after_an_error(client: PageClient, kind: str) -> None:
    choose(client, kind)
    page = client.post_form("/report/what", {"types": factories.WHAT[kind]["types"], "description": " "})

    assert page.title.startswith("Error:")
    assert page.errors == [f"Enter {DESCRIPTION_TOPICS[kind]}"]
    assert page.value("types") == factories.WHAT[kind]["types"]


def test_what_refuses_a_type_that_is_not_offered(client: PageClient) -> None:
    choose(client, "asb")
    page = client.post_form("/report/what", {**factories.WHAT["asb"], "types": ["noise", "burglary_victim"]})
    assert page.status == 200
    assert page.errors == ["'burglary_victim' is not a valid choice for this field."]


def test_what_page_without_errors_has_a_plain_title(client: PageClient) -> None:
    choose(client, "asb")
    page = client.get("/report/what")
    assert not page.errors
    assert not page.title.startswith("Error:")


# --- The kind's own questions -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_details_needs_every_question_asked_answered(app: Flask, client: PageClient, kind: str) -> None:
    fill_until(client, kind, stop_before="details")
    page = client.post_form("/report/details", {})
    assert page.h1 == DETAILS_PAGES[kind]
    assert_refused(page, *(error for name, error in YES_NO_ERRORS[kind] if (kind, name) not in LEADS_TO))
    assert reports_stored(app) == 0


@pytest.mark.parametrize(
    ("kind", "question", "error"),
    [(kind, question, error) for kind, questions in YES_NO_ERRORS.items() for question, error in questions],
)
def test_details_needs_each_yes_no_question_answered(
    client: PageClient, kind: str, question: str, error: str
) -> None:
    fill_until(client, kind, stop_before="details")
    answers = {**without(factories.DETAILS[kind], question), **LEADS_TO.get((kind, question), {})}
    page = client.post_form("/report/details", answers)
    assert_refused(page, error)
    assert error.startswith("Select yes if ")


@pytest.mark.parametrize("kind", KINDS)
def test_details_keeps_what_was_answered_after_an_error(client: PageClient, kind: str) -> None:
    fill_until(client, kind, stop_before="details")
    first_question, error = YES_NO_ERRORS[kind][0]
    page = client.post_form("/report/details", without(factories.DETAILS[kind], first_question))

    assert page.errors == [error]
    for question, answer in factories.DETAILS[kind].items():
        if question != first_question:
            assert page.value(question) == answer, question
    assert page.value(first_question) is None


def test_every_kind_has_questions_of_its_own_so_its_details_page_is_never_empty() -> None:
    assert all(KIND_BLOCKS[kind][2] for kind in KINDS)


# --- Where ------------------------------------------------------------------------------------


def test_where_needs_an_address_or_a_postcode(app: Flask, client: PageClient) -> None:
    at_where(client)
    page = client.post_form("/report/where", {**factories.WHERE, "address": "  ", "postcode": ""})
    assert page.h1 == WHERE_PAGE
    assert_refused(page, "Enter where it is happening, or its postcode")
    assert reports_stored(app) == 0


@pytest.mark.parametrize("given", ["address", "postcode"])
def test_where_is_content_with_just_an_address_or_just_a_postcode(client: PageClient, given: str) -> None:
    at_where(client)
    other = "postcode" if given == "address" else "address"
    page = client.post_form("/report/where", {**factories.WHERE, other: ""})
    assert not page.errors
    assert page.h1 == WHEN_PAGE


@pytest.mark.parametrize("postcode", ["XYZ", "S18", "12345", "SW1A 1AAA", "ABCDEFGHIJK"])
def test_where_needs_a_real_postcode(client: PageClient, postcode: str) -> None:
    at_where(client)
    page = client.post_form("/report/where", {**factories.WHERE, "postcode": postcode})
    assert_refused(page, "Enter a real postcode, like S42 6NG")
    assert page.value("postcode") == postcode


def test_where_stores_a_postcode_in_capitals_with_a_space(client: PageClient) -> None:
    at_where(client)
    page = client.post_form("/report/where", {**factories.WHERE, "postcode": "s181ab"})
    assert not page.errors
    assert client.get("/report/where").value("postcode") == "S18 1AB"

    check = finish_from_when(client)
    assert check.h1 == CHECK_PAGE
    assert "S18 1AB" in check.text()
    assert "s181ab" not in check.text()


def test_where_address_must_be_500_characters_or_fewer(client: PageClient) -> None:
    at_where(client)
    page = client.post_form("/report/where", {**factories.WHERE, "address": "a" * 501})
    assert_refused(page, "Where it is happening must be 500 characters or fewer")


def test_where_with_nothing_answered_asks_only_where(client: PageClient) -> None:
    at_where(client)
    page = client.post_form("/report/where", {"address": "", "postcode": "", "ward": ""})
    assert_refused(page, "Enter where it is happening, or its postcode")


@pytest.mark.parametrize("ward", ["Narnia", "dronfield north", "Dronfield North "])
def test_where_ward_must_be_one_of_the_councils(app: Flask, client: PageClient, ward: str) -> None:
    at_where(client)
    page = client.post_form("/report/where", {**factories.WHERE, "ward": ward})
    assert_refused(page, "Not a valid choice.")
    assert reports_stored(app) == 0


def test_where_ward_may_be_not_known(client: PageClient) -> None:
    at_where(client)
    page = client.post_form("/report/where", {**factories.WHERE, "ward": ""})
    assert not page.errors
    check = finish_from_when(client)
    assert check.h1 == CHECK_PAGE
    assert "Not known" in check.text()


# --- When -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "error"),
    [
        ("started", "Select when it started"),
        ("frequency", "Select how often it happens"),
        ("previous_reports", "Select if you have reported this in the last 6 months"),
    ],
)
def test_when_needs_when_how_often_and_previous_reports(
    client: PageClient, question: str, error: str
) -> None:
    fill_until(client, "asb", stop_before="when")
    page = client.post_form("/report/when", without(factories.WHEN, question))
    assert page.h1 == WHEN_PAGE
    assert_refused(page, error)
    for other in set(factories.WHEN) - {question}:
        assert page.value(other) == factories.WHEN[other], other


def test_when_with_nothing_answered_lists_its_three_questions(client: PageClient) -> None:
    fill_until(client, "asb", stop_before="when")
    page = client.post_form("/report/when", {})
    assert_refused(
        page,
        "Select when it started",
        "Select how often it happens",
        "Select if you have reported this in the last 6 months",
    )


# --- How it affects you -----------------------------------------------------------------------


def test_impact_needs_something_ticked(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb", stop_before="impact")
    page = client.post_form("/report/impact", {})
    assert page.h1 == "How is it affecting you?"
    assert_refused(page, "Select how it is affecting you, or select 'None of these'")
    assert reports_stored(app) == 0


def test_impact_none_of_these_cannot_be_ticked_with_another_answer(client: PageClient) -> None:
    fill_until(client, "asb", stop_before="impact")
    page = client.post_form("/report/impact", {"harm": ["none", "feel_unsafe"]})
    assert_refused(page, "Select 'None of these' only if none of the others apply")
    assert page.value("harm") == ["feel_unsafe", "none"]


def test_impact_none_of_these_on_its_own_is_an_answer(client: PageClient) -> None:
    fill_until(client, "asb", stop_before="impact")
    page = client.post_form("/report/impact", {"harm": ["none"]})
    assert not page.errors
    assert client.get("/report/impact").value("harm") == ["none"]


# --- About you --------------------------------------------------------------------------------


def test_about_you_needs_an_email_or_a_phone_number(app: Flask, client: PageClient) -> None:
    at_about_you(client)
    answers = factories.about(email="", phone="", safe_to_email=None, safe_to_phone=None)
    page = client.post_form("/report/about-you", answers)
    assert page.h1 == "About you and how we can contact you"
    assert_refused(page, "Enter an email address or a phone number, so we can contact you")
    assert reports_stored(app) == 0


@pytest.mark.parametrize("email", ["sam", "sam@", "sam.example.org", "sam @example.org", "@example.org"])
def test_about_you_needs_an_email_address_in_the_correct_format(client: PageClient, email: str) -> None:
    at_about_you(client)
    page = client.post_form("/report/about-you", factories.about(email=email))
    assert_refused(page, "Enter an email address in the correct format, like name@example.com")
    assert page.value("email") == email


@pytest.mark.parametrize("phone", ["07700 900982", "+44 7700 900982", "0044 7700 900982"])
def test_about_you_takes_a_uk_number_written_any_of_the_usual_ways(client: PageClient, phone: str) -> None:
    at_about_you(client)
    page = client.post_form("/report/about-you", factories.about(phone=phone))
    assert page.h1 == "Check your answers before sending your report"


@pytest.mark.parametrize("phone", ["12345", "phone me", "077009009821", "+1 555"])
def test_about_you_needs_a_real_phone_number(client: PageClient, phone: str) -> None:
    at_about_you(client)
    page = client.post_form("/report/about-you", factories.about(phone=phone))
    assert_refused(page, "Enter a phone number, like 01246 231111 or 07700 900982")
    assert page.value("phone") == phone


@pytest.mark.parametrize(
    ("channel", "question", "error"),
    [
        ("email", "safe_to_email", "Select yes if it is safe for us to email you"),
        ("phone", "safe_to_phone", "Select yes if it is safe for us to phone you"),
    ],
)
def test_about_you_asks_if_each_contact_given_is_safe_to_use(
    client: PageClient, channel: str, question: str, error: str
) -> None:
    at_about_you(client)
    page = client.post_form("/report/about-you", factories.about(**{question: None}))
    assert_refused(page, error)
    assert page.value(channel) == factories.about()[channel]


def test_about_you_does_not_ask_about_safety_of_a_contact_not_given(client: PageClient) -> None:
    at_about_you(client)
    page = client.post_form(
        "/report/about-you", factories.about(phone="", safe_to_phone=None, safe_to_email="yes")
    )
    assert not page.errors
    assert page.h1 == CHECK_PAGE


def test_about_you_needs_a_name_unless_anonymous(client: PageClient) -> None:
    at_about_you(client)
    page = client.post_form("/report/about-you", factories.about(name="  "))
    assert_refused(page, "Enter your full name")


def test_about_you_asks_whether_to_stay_anonymous(client: PageClient) -> None:
    at_about_you(client)
    page = client.post_form("/report/about-you", factories.about(anonymous=None))
    assert_refused(page, "Select yes if you want to stay anonymous")


def test_about_you_needs_nothing_else_from_an_anonymous_resident(client: PageClient) -> None:
    at_about_you(client)
    page = client.post_form(
        "/report/about-you",
        {"anonymous": "yes", "name": "", "email": "", "phone": "", "lives_in_district": "no"},
    )
    assert not page.errors
    assert page.h1 == CHECK_PAGE


@pytest.mark.parametrize("kind", KINDS)
def test_about_you_asks_if_the_resident_lives_in_the_district(client: PageClient, kind: str) -> None:
    at_about_you(client, kind)
    page = client.post_form("/report/about-you", factories.about_for(kind, lives_in_district=None))
    assert_refused(page, "Select yes if you live in North East Derbyshire")


def test_about_you_for_a_safety_concern_does_not_offer_anonymity(client: PageClient) -> None:
    at_about_you(client, "safety_concern")
    page = client.get("/report/about-you")
    assert page.soup.find_all(attrs={"name": "anonymous"}) == []
    assert "anonymous" not in page.text().lower()

    # Saying "anonymous" anyway changes nothing: a way to contact the resident is still needed.
    posted = client.post_form(
        "/report/about-you",
        {"anonymous": "yes", "name": "", "email": "", "phone": "", "lives_in_district": "yes"},
    )
    assert_refused(
        posted, "Enter your full name", "Enter an email address or a phone number, so we can contact you"
    )


@pytest.mark.parametrize("kind", ["asb", "neighbour_dispute"])
def test_about_you_offers_anonymity_for_other_kinds(client: PageClient, kind: str) -> None:
    at_about_you(client, kind)
    page = client.get("/report/about-you")
    assert page.soup.find_all(attrs={"name": "anonymous"}) != []


# --- Nothing is sent while any page has a problem ---------------------------------------------

BROKEN_ANSWERS = {
    "what": {**factories.WHAT["asb"], "description": ""},
    "details": {"perpetrators_known": "yes"},
    "where": {**factories.WHERE, "postcode": "XYZ"},
    "when": {**factories.WHEN, "frequency": ""},
    "impact": {"harm": ["none", "targeted"]},
    "about-you": factories.about(email="", phone=""),
}


@pytest.mark.parametrize("slug", BROKEN_ANSWERS)
def test_a_page_with_an_error_sends_no_report(app: Flask, client: PageClient, slug: str) -> None:
    fill_until(client, "asb", stop_before=slug)
    page = client.post_form(f"/report/{slug}", BROKEN_ANSWERS[slug])
    assert page.errors
    assert page.title.startswith("Error:")
    assert reports_stored(app) == 0

    # The page was not marked done, so the resident cannot reach "Send report" past it.
    check = client.get("/report/check")
    assert check.h1 != CHECK_PAGE
    assert reports_stored(app) == 0


@pytest.mark.parametrize("answers", [{}, None], ids=["nothing answered", "one wrong answer"])
@pytest.mark.parametrize("slug", BROKEN_ANSWERS)
def test_each_error_links_to_its_question(
    client: PageClient, slug: str, answers: dict[str, Any] | None
) -> None:
    fill_until(client, "asb", stop_before=slug)
    page = client.post_form(f"/report/{slug}", BROKEN_ANSWERS[slug] if answers is None else answers)
    links = page.soup.select(".govuk-error-summary__list a")
    assert links
    for link in links:
        target = str(link["href"])
        assert target.startswith("#") and page.soup.find(id=target[1:]) is not None, target


@pytest.mark.parametrize("slug", BROKEN_ANSWERS)
def test_changing_an_answer_to_a_wrong_one_keeps_the_answer_before(
    app: Flask, client: PageClient, slug: str
) -> None:
    check = fill_until(client, "asb")
    assert check.h1 == CHECK_PAGE
    before = check.text()

    page = client.post_form(f"/report/{slug}?change=1", BROKEN_ANSWERS[slug])
    assert page.errors
    assert client.get("/report/check").text() == before
    assert reports_stored(app) == 0


# --- Pages in order ---------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["details", "where", "when", "impact", "evidence", "about-you"])
def test_pages_cannot_be_skipped(client: PageClient, slug: str) -> None:
    choose(client, "asb")
    response = client.get_raw(f"/report/{slug}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/report/what"
    assert client.get(f"/report/{slug}").h1 == WHAT_PAGE


def test_impact_cannot_be_reached_before_what_is_answered(app: Flask, client: PageClient) -> None:
    choose(client, "asb")
    page = client.get("/report/impact")
    assert page.h1 == WHAT_PAGE
    assert page.value("description") == ""


def test_answers_posted_to_a_later_page_are_not_saved(client: PageClient) -> None:
    choose(client, "asb")
    token = client.get("/report/what").csrf_token()
    page = client.post("/report/impact", {"csrf_token": token, **factories.IMPACT})
    assert page.h1 == WHAT_PAGE
    answer_pages(client, "asb", through="when")
    assert client.get("/report/impact").value("harm") == []


def test_check_your_answers_cannot_be_reached_early(client: PageClient) -> None:
    fill_until(client, "asb", stop_before="about-you")
    page = client.get("/report/check")
    assert page.h1 == "About you and how we can contact you"
