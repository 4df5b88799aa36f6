"""Each kind of report is asked in its own words, and every phone number on a resident's page can be
called from it."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from flask import Flask

from portal.web.formatting import phone
from tests import factories
from tests.helpers import Page, PageClient
from tests.journey import choose, fill_until, submit


def hints(page: Page) -> str:
    return " ".join(hint.get_text(" ", strip=True) for hint in page.soup.select(".govuk-hint"))


def question(page: Page, name: str) -> str:
    """The label or legend of the question ``name``."""
    field = page.soup.find(attrs={"name": name})
    assert field is not None
    label = page.soup.find("label", attrs={"for": field.get("id")})
    fieldset = field.find_parent("fieldset")
    if field.get("type") in ("radio", "checkbox") and fieldset is not None:
        return fieldset.find("legend").get_text(" ", strip=True)
    assert label is not None
    return label.get_text(" ", strip=True)


def test_a_safety_concern_is_asked_about_what_happened_to_the_resident(client: PageClient) -> None:
    choose(client, "safety_concern")
    what = client.get("/report/what")
    assert question(what, "description") == "Tell us what has happened"
    assert "as much as you feel able to" in hints(what)
    assert "people involved" not in hints(what)

    details = client.post_form("/report/what", factories.WHAT["safety_concern"])
    assert details.h1 == "About the person involved"
    where = client.post_form("/report/details", factories.DETAILS["safety_concern"])
    assert where.h1 == question(where, "address") == "Where do you need help to feel safe?"
    assert "usually your home address" in hints(where)
    assert "If it is not safe for us to visit you there" in hints(where)
    assert "car park" not in where.text()
    refused = client.post_form("/report/where", {"address": "", "postcode": "", "ward": ""})
    assert refused.errors == ["Enter where you need help to feel safe, or its postcode"]

    when = client.post_form("/report/where", factories.WHERE)
    assert when.h1 == "When has this happened?"
    assert question(when, "frequency") == "How often has this happened to you?"
    assert "does not need to be exact" in hints(when)
    refused = client.post_form("/report/when", {})
    assert "Select how often this has happened to you" in refused.errors


@pytest.mark.parametrize(
    ("kind", "heading"),
    [
        ("asb", "About the people responsible"),
        ("neighbour_dispute", "About your neighbour and the dispute"),
        ("safety_concern", "About the person involved"),
    ],
)
def test_the_page_of_a_kinds_own_questions_is_headed_in_its_words(
    client: PageClient, kind: str, heading: str
) -> None:
    fill_until(client, kind, stop_before="details")
    page = client.get("/report/details")
    assert page.h1 == heading
    assert page.title.startswith(heading)


@pytest.mark.parametrize(
    ("kind", "example"),
    [
        ("asb", "the car park behind the library on Station Road"),
        ("neighbour_dispute", "the shared drive between 12 and 14 Station Road"),
    ],
)
def test_anti_social_behaviour_and_disputes_keep_their_own_examples(
    client: PageClient, kind: str, example: str
) -> None:
    fill_until(client, kind, stop_before="where")
    where = client.get("/report/where")
    assert where.h1 == question(where, "address") == "Where is it happening?"
    assert example in hints(where)
    when = client.post_form("/report/where", factories.WHERE)
    assert when.h1 == "When is it happening?"
    assert question(when, "frequency") == "How often does it happen?"


def test_check_your_answers_names_the_safety_concern_as_it_was_asked(client: PageClient) -> None:
    check = fill_until(client, "safety_concern")
    keys = [key.get_text(" ", strip=True) for key in check.soup.select(".govuk-summary-list__key")]
    assert "What has happened" in keys and "What is happening" not in keys


def test_a_resident_not_emailed_is_told_to_keep_the_reference_somewhere_safe(client: PageClient) -> None:
    confirmation = submit(client, "asb", about=factories.about_for("asb", safe_to_email="no"))
    assert "Keep your reference number somewhere safe" in confirmation.text()
    assert "Write" not in confirmation.text()


def test_the_dispute_confirmation_explains_mediation_to_a_resident_willing_to_try_it(
    client: PageClient,
) -> None:
    confirmation = submit(client, "neighbour_dispute")
    headings = [h2.get_text(strip=True) for h2 in confirmation.soup.find_all("h2")]
    assert "Mediation" in headings
    text = confirmation.text()
    assert "You told us you would be willing to try mediation" in text
    assert "a trained, independent mediator helps you and your neighbour" in text
    assert "an officer checks that mediation is right for your dispute" in text
    assert "the mediation service contacts you, in the ways you told us are safe" in text


@pytest.mark.parametrize(
    ("kind", "answers"),
    [
        ("neighbour_dispute", {**factories.DETAILS["neighbour_dispute"], "willing_to_mediate": "no"}),
        ("asb", factories.DETAILS["asb"]),
        ("safety_concern", factories.DETAILS["safety_concern"]),
    ],
    ids=["dispute, not willing", "asb", "safety concern"],
)
def test_mediation_is_explained_only_to_a_resident_who_said_yes_to_it(
    monkeypatch: pytest.MonkeyPatch, client: PageClient, kind: str, answers: dict[str, object]
) -> None:
    monkeypatch.setitem(factories.DETAILS, kind, answers)
    confirmation = submit(client, kind)
    assert confirmation.h1.startswith("Report sent")
    assert "mediation" not in confirmation.text().lower()


# --- Phone numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "dialled"),
    [
        ("01246 231111", "tel:+441246231111"),
        ("0808 2000 247", "tel:+448082000247"),
        ("999", "tel:999"),
        ("101", "tel:101"),
        ("116 123", "tel:116123"),
        ("+44 1246 231111", "tel:+441246231111"),
        ("0044 1246 231111", "tel:+441246231111"),
    ],
)
def test_the_phone_filter_makes_a_number_a_link_that_dials_it(shown: str, dialled: str) -> None:
    link = BeautifulSoup(str(phone(shown)), "html.parser").a
    assert link is not None
    assert link["href"] == dialled and link.get_text() == shown
    assert "govuk-link" in link["class"]


def test_the_phone_filter_escapes_what_it_is_given() -> None:
    assert "<script>" not in str(phone("<script>0800</script>"))


# A phone number in a page's words: 999, 101, 116 123, or a number of 10 or 11 digits.
PHONE_NUMBER = re.compile(r"(?<![\w-])(?:999|101|116 123|\+?0[\d ]{8,12}\d)(?![\w-])")


def numbers_not_linked(page: Page) -> list[str]:
    """Every phone number on the page that is not inside a ``tel:`` link."""
    found = []
    for text in page.soup.find_all(string=PHONE_NUMBER):
        link = text.find_parent("a")
        if link is None or not str(link.get("href", "")).startswith("tel:"):
            found.extend(PHONE_NUMBER.findall(text))
    return found


@pytest.mark.parametrize("url", ["/", "/accessibility", "/privacy", "/cookies", "/leaving-quickly"])
def test_every_phone_number_on_a_residents_page_is_a_tel_link(client: PageClient, url: str) -> None:
    page = client.get(url)
    assert page.soup.select('a[href^="tel:"]')
    assert numbers_not_linked(page) == []


def test_every_phone_number_on_the_confirmation_is_a_tel_link(client: PageClient) -> None:
    confirmation = submit(client, "asb")
    assert confirmation.soup.select_one('a[href="tel:+441246231111"]') is not None
    assert numbers_not_linked(confirmation) == []


def test_the_emergency_box_offers_samaritans_free_day_and_night(client: PageClient) -> None:
    box = client.get("/").soup.select_one("#emergency")
    assert box is not None
    samaritans = box.select_one('a[href="tel:116123"]')
    assert samaritans is not None and samaritans.get_text() == "116 123"
    line = samaritans.find_parent("li").get_text(" ", strip=True)
    assert "Samaritans" in line and "free" in line and "24 hours a day" in line
    dialled = {link["href"] for link in box.select("a")}
    assert dialled == {"tel:999", "tel:101", "tel:+44800555111", "tel:+448082000247", "tel:116123"}


def test_the_phone_filter_is_the_one_way_numbers_become_links(app: Flask) -> None:
    """No template writes a ``tel:`` link by hand."""
    from portal import PROJECT_ROOT

    by_hand = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "templates").rglob("*.html")
        if "tel:" in path.read_text(encoding="utf-8")
    ]
    assert by_hand == []
