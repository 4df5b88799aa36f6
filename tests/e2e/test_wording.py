"""In a real browser: each kind of report in its own words, phone numbers that can be called, and
Samaritans in the emergency box."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests import factories
from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer

EMERGENCY_NUMBERS = {
    "999": "tel:999",
    "101": "tel:101",
    "0800 555 111": "tel:+44800555111",
    "0808 2000 247": "tel:+448082000247",
    "116 123": "tel:116123",
}


def test_the_emergency_box_numbers_can_be_called_and_include_samaritans(
    journey: Callable[..., CheckedPage],
) -> None:
    tab = journey(javascript=False)
    tab.goto("/")
    box = tab.page.locator("#emergency")
    for number, dialled in EMERGENCY_NUMBERS.items():
        expect(box.get_by_role("link", name=number, exact=True)).to_have_attribute("href", dialled)
    samaritans = box.get_by_role("listitem").filter(has_text="Samaritans")
    expect(samaritans).to_contain_text("free, 24 hours a day")
    expect(samaritans.get_by_role("link", name="116 123")).to_be_visible()
    # The council's own number, in the phase banner, the page and the footer, is a link too.
    for link in tab.page.get_by_role("link", name="01246 231111").all():
        expect(link).to_have_attribute("href", "tel:+441246231111")
    assert tab.page.get_by_role("link", name="01246 231111").count() >= 2


def test_a_safety_concern_is_asked_in_its_own_words(journey: Callable[..., CheckedPage]) -> None:
    tab = journey(javascript=True)
    tab.goto("/report")
    tab.page.get_by_label("Safety concern").check()
    tab.button("Continue")

    description = tab.page.get_by_label("Tell us what has happened")
    expect(description).to_be_visible()
    expect(tab.page.get_by_text("Tell us as much as you feel able to")).to_be_visible()
    answer(tab.page, factories.WHAT["safety_concern"])
    tab.button("Save and continue")

    assert tab.path == "/report/details"
    assert tab.h1() == "About the person involved"
    answer(tab.page, factories.DETAILS["safety_concern"])
    tab.button("Save and continue")

    assert tab.path == "/report/where"
    expect(tab.page.get_by_label("Where do you need help to feel safe?")).to_be_visible()
    assert tab.h1() == "Where do you need help to feel safe?"
    assert "car park" not in tab.text()
    answer(tab.page, factories.WHERE)
    tab.button("Save and continue")

    assert tab.path == "/report/when"
    assert tab.h1() == "When has this happened?"
    expect(tab.page.get_by_role("group", name="How often has this happened to you?")).to_be_visible()


def test_a_dispute_confirmation_explains_mediation_and_keeping_the_reference(
    journey: Callable[..., CheckedPage],
) -> None:
    tab = journey(javascript=False)
    tab.goto("/report")
    tab.page.get_by_label("Neighbour dispute").check()
    tab.button("Continue")
    about = factories.about_for("neighbour_dispute", safe_to_email="no")
    for typed in (
        factories.WHAT["neighbour_dispute"],
        factories.DETAILS["neighbour_dispute"],
        factories.WHERE,
        factories.WHEN,
        factories.IMPACT,
    ):
        answer(tab.page, typed)
        tab.button("Save and continue")
    tab.button("Continue")  # no photos
    answer(tab.page, about)
    tab.button("Save and continue")
    tab.button("Send report")

    assert tab.path == "/report/confirmation"
    expect(tab.page.get_by_text("Keep your reference number somewhere safe")).to_be_visible()
    expect(tab.page.get_by_role("heading", name="Mediation")).to_be_visible()
    expect(tab.page.get_by_text("You told us you would be willing to try mediation")).to_be_visible()
    expect(tab.page.get_by_text("an officer checks that mediation is right for your dispute")).to_be_visible()
    main = tab.page.get_by_role("main")
    expect(main.get_by_role("link", name="01246 231111")).to_have_attribute("href", "tel:+441246231111")
    expect(main.get_by_role("link", name="116 123")).to_have_attribute("href", "tel:116123")
