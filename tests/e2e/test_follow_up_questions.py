"""Questions that follow the answers, in a real browser: GOV.UK conditional questions appear under the
answer they follow with JavaScript, and are all shown (and checked only where they apply) without it.
Found by their labels and roles, as a resident finds them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, expect

from tests import factories
from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer

KNOWN = "Do you know who is responsible?"
NEIGHBOUR = "Is the person responsible one of your neighbours?"
MEDIATION = "Would you be willing to try mediation?"
ANONYMOUS = "Do you want to stay anonymous?"
SAFE_EMAIL = "Is it safe for us to email you?"
SAFE_PHONE = "Is it safe for us to phone you?"
CALL_TIMES = "When is it safe for us to phone you? (optional)"
VOICEMAIL = "Can we leave you a voicemail?"
TEXT = "Is it safe for us to send you a text message?"
ALTERNATIVE = "Is there another safe way to contact you? (optional)"
CHECK = "Check your answers before sending your report"
PEOPLE = "About the people responsible"


def group(tab: CheckedPage, question: str) -> Locator:
    return tab.page.get_by_role("group", name=question, exact=True)


def choose(tab: CheckedPage, question: str, choice: str) -> None:
    """Choose an answer to a question. Its follow-ups are drawn under its "Yes", inside its group, so
    their answers come between its own: its "Yes" is the first of that name, any other the last."""
    answers = group(tab, question).get_by_role("radio", name=choice, exact=True)
    (answers.first if choice == "Yes" else answers.last).check()


def lives_here(tab: CheckedPage) -> None:
    tab.page.get_by_role("group", name=re.compile("^Do you live in ")).get_by_role(
        "radio", name="Yes"
    ).check()


def where_when_and_impact(tab: CheckedPage) -> None:
    """Answer where, when and how it affects the resident, and go past the evidence page."""
    for page in (factories.WHERE, factories.WHEN, factories.IMPACT):
        answer(tab.page, page)
        tab.button("Save and continue")
    tab.button("Continue")


def summary(tab: CheckedPage) -> str:
    """The check page's words, each row's question and answer separated by one space."""
    return re.sub(r"\s+", " ", tab.text())


def test_with_javascript_each_question_appears_under_the_answer_it_follows(
    journey: Callable[..., CheckedPage],
) -> None:
    tab = journey(javascript=True)
    tab.goto("/report")
    answer(tab.page, {"kind": "asb"})
    tab.button("Continue")
    answer(tab.page, {"types": ["noise"], "description": "Music from next door every night."})
    tab.button("Save and continue")

    assert tab.h1() == PEOPLE
    expect(group(tab, NEIGHBOUR)).to_be_hidden()
    expect(group(tab, MEDIATION)).to_be_hidden()
    choose(tab, KNOWN, "Yes")
    expect(group(tab, NEIGHBOUR)).to_be_visible()
    expect(group(tab, MEDIATION)).to_be_hidden()
    choose(tab, NEIGHBOUR, "Yes")
    expect(group(tab, MEDIATION)).to_be_visible()
    tab.check()  # axe, with the follow-ups open
    choose(tab, MEDIATION, "Yes")
    choose(tab, KNOWN, "No")
    expect(group(tab, NEIGHBOUR)).to_be_hidden()
    choose(tab, KNOWN, "Yes")
    expect(group(tab, MEDIATION)).to_be_visible()  # the answers stay while the resident changes their mind
    tab.button("Save and continue")
    where_when_and_impact(tab)

    # About you: the contact questions are under "No, I'm happy to give my details".
    contact = tab.page.get_by_label("Full name")
    expect(contact).to_be_hidden()
    choose(tab, ANONYMOUS, "No, I'm happy to give my details")
    expect(contact).to_be_visible()
    expect(group(tab, SAFE_EMAIL)).to_be_hidden()
    tab.page.get_by_label("Email address").fill("sam.resident@example.org")
    expect(group(tab, SAFE_EMAIL)).to_be_visible()
    for question in (SAFE_PHONE, TEXT):
        expect(group(tab, question)).to_be_hidden()
    tab.page.get_by_label("Phone number").fill("07700 900982")
    for question in (SAFE_PHONE, TEXT):
        expect(group(tab, question)).to_be_visible()
    expect(tab.page.get_by_label(CALL_TIMES)).to_be_hidden()
    choose(tab, SAFE_PHONE, "Yes")
    expect(tab.page.get_by_label(CALL_TIMES)).to_be_visible()
    expect(group(tab, VOICEMAIL)).to_be_visible()
    tab.check()  # axe, with every contact question open

    contact.fill("Sam Resident")
    choose(tab, SAFE_EMAIL, "No")
    tab.page.get_by_label(CALL_TIMES).fill("Weekday mornings, before 11am")
    choose(tab, VOICEMAIL, "No")
    choose(tab, TEXT, "Yes")
    tab.page.get_by_label(ALTERNATIVE).fill("My sister Jo, on 07700 900123")
    lives_here(tab)
    tab.button("Save and continue")
    assert tab.h1() == CHECK
    shown = summary(tab)
    assert "Would you be willing to try mediation? Yes" in shown
    for row in (
        "Safe times to phone you Weekday mornings, before 11am",
        "Leave a voicemail No",
        "Safe to text you Yes",
        "Another safe way to contact you My sister Jo, on 07700 900123",
    ):
        assert row in shown, row

    # From the Change link, the answers show with their follow-ups open; staying anonymous then
    # hides the details, and none of them is kept.
    tab.click(tab.page.locator('a[href$="/report/about-you?change=1"]').first)
    expect(tab.page.get_by_label(CALL_TIMES)).to_have_value("Weekday mornings, before 11am")
    choose(tab, ANONYMOUS, "Yes")
    expect(contact).to_be_hidden()
    tab.button("Save and go back to check your answers")
    shown = summary(tab)
    assert "Sam Resident" not in shown and "My sister Jo" not in shown and "Safe to text" not in shown


def test_without_javascript_every_question_shows_and_only_those_that_apply_are_checked(
    journey: Callable[..., CheckedPage],
) -> None:
    tab = journey(javascript=False)
    tab.goto("/report")
    answer(tab.page, {"kind": "asb"})
    tab.button("Continue")
    answer(tab.page, {"types": ["noise"], "description": "Music every night."})
    tab.button("Save and continue")
    for question in (KNOWN, NEIGHBOUR, MEDIATION):
        expect(group(tab, question)).to_be_visible()
    # Answering "No" to knowing who is responsible, the follow-ups are not needed.
    choose(tab, KNOWN, "No")
    tab.button("Save and continue")
    assert tab.path == "/report/where", tab.errors()
    tab.link("Back")
    assert group(tab, NEIGHBOUR).get_by_role("radio", checked=True).count() == 0
    choose(tab, KNOWN, "Yes")
    tab.button("Save and continue")
    assert tab.errors() == ["Select yes if the person responsible is one of your neighbours"]
    choose(tab, NEIGHBOUR, "No")
    tab.button("Save and continue")
    where_when_and_impact(tab)

    for question in (SAFE_EMAIL, SAFE_PHONE, VOICEMAIL, TEXT):
        expect(group(tab, question)).to_be_visible()
    choose(tab, ANONYMOUS, "No, I'm happy to give my details")
    tab.page.get_by_label("Full name").fill("Sam Resident")
    tab.page.get_by_label("Phone number").fill("07700 900982")
    choose(tab, SAFE_PHONE, "No")
    tab.page.get_by_label(CALL_TIMES).fill("Evenings")  # left in a question that does not apply
    lives_here(tab)
    tab.button("Save and continue")
    # No email given, so not asked whether email is safe; phoning not safe, so no voicemail question.
    assert tab.errors() == ["Select yes if it is safe for us to send you a text message"]
    choose(tab, TEXT, "No")
    tab.button("Save and continue")
    assert tab.h1() == CHECK
    shown = summary(tab)
    assert "Safe to phone you No" in shown and "Safe to text you No" in shown
    assert "Evenings" not in shown and "Leave a voicemail" not in shown and "Safe to email" not in shown
    assert f"{NEIGHBOUR} No" in shown and MEDIATION not in shown
