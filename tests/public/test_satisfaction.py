"""The question emailed when a case is closed: one answer a case, by an unguessable link that shows
nothing of the case, and the same page for every link that cannot be used."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import inspect, select, update

from portal.cases.satisfaction import COMMENT_MAX
from portal.extensions import db
from portal.models import Report, SatisfactionQuestion
from tests.cases import make_case
from tests.closing import answer, close, question_link
from tests.helpers import PageClient, today
from tests.officers import Account

QUESTION = "How satisfied are you with how we handled your report?"
ANSWERS = ["Very satisfied", "Satisfied", "Partly satisfied", "Dissatisfied", "Very dissatisfied"]
UNUSABLE = "This link can no longer be used"


@pytest.fixture
def closed(app: Flask, supervisor: Account) -> tuple[str, str]:
    """A case just closed, and the path of the link its resident was sent."""
    reference = make_case(
        app, description="Shouting at number 3", address="3 Orchard Close", reporter_name="Jo Bloggs"
    )
    close(app, reference, supervisor)
    return reference, question_link(app, reference)


def stored(app: Flask, reference: str) -> SatisfactionQuestion:
    with app.app_context():
        row = db.session.scalars(
            select(SatisfactionQuestion).join(Report).where(Report.reference == reference)
        ).one()
        db.session.expunge(row)
        return row


def test_the_link_shows_the_question_and_nothing_of_the_case(
    client: PageClient, closed: tuple[str, str]
) -> None:
    reference, link = closed
    page = client.get(link)
    assert page.status == 200
    legend = page.soup.select_one("fieldset legend")
    assert legend is not None and legend.get_text(strip=True) == QUESTION
    labels = [label.get_text(strip=True) for label in page.soup.select(".govuk-radios__label")]
    assert labels == ANSWERS
    assert page.soup.select_one(f'.govuk-character-count[data-maxlength="{COMMENT_MAX}"]') is not None
    assert page.has_exit_this_page()
    for detail in (reference, "Shouting", "Orchard Close", "Jo Bloggs", "Resolved"):
        assert detail not in page.html


def test_an_answer_is_kept_with_its_comment_and_the_day_only(
    app: Flask, client: PageClient, closed: tuple[str, str]
) -> None:
    reference, link = closed
    thanks = answer(client, link, "partly_satisfied", "They came, but the noise is back.")
    assert thanks.path == "/your-report/satisfaction/sent"
    assert thanks.h1 == "Thank you for your answer"
    assert thanks.has_exit_this_page()
    row = stored(app, reference)
    assert (row.answer, row.comment) == ("partly_satisfied", "They came, but the noise is back.")
    assert row.answered_on == today() and row.sent_on == today()


def test_a_second_answer_is_refused_and_the_first_is_kept(
    app: Flask, client: PageClient, closed: tuple[str, str]
) -> None:
    reference, link = closed
    form = client.get(link)  # the page open in a second tab
    answer(client, link, "very_satisfied")
    again = client.post(
        link, {"csrf_token": form.csrf_token(), "answer": "very_dissatisfied", "comment": "x"}
    )
    assert again.status == 410
    assert again.h1 == UNUSABLE
    assert "The question may have been answered already. We keep the first answer" in again.text()
    row = stored(app, reference)
    assert (row.answer, row.comment) == ("very_satisfied", "")


def test_an_answered_an_expired_and_an_unknown_link_get_the_same_page(
    app: Flask, client: PageClient, supervisor: Account, closed: tuple[str, str]
) -> None:
    _, answered = closed
    answer(client, answered, "satisfied")
    expired_case = make_case(app)
    close(app, expired_case, supervisor)
    expired = question_link(app, expired_case)
    with app.app_context():
        db.session.execute(update(SatisfactionQuestion).values(sent_on=today() - timedelta(days=61)))
        db.session.commit()
    pages = [client.get(link) for link in (answered, expired, "/your-report/satisfaction/not-a-link")]
    assert {page.status for page in pages} == {410}
    assert {page.h1 for page in pages} == {UNUSABLE}
    assert len({page.soup.select_one("main").get_text(" ", strip=True) for page in pages}) == 1  # type: ignore[union-attr]
    assert all(page.has_exit_this_page() for page in pages)


def test_a_link_works_for_60_days(app: Flask, client: PageClient, closed: tuple[str, str]) -> None:
    _, link = closed
    with app.app_context():
        db.session.execute(update(SatisfactionQuestion).values(sent_on=today() - timedelta(days=60)))
        db.session.commit()
    assert client.get(link).status == 200


@pytest.mark.parametrize(
    ("sent", "error"),
    [
        ({"comment": "Fine"}, "Select how satisfied you are with how we handled your report"),
        (
            {"answer": "satisfied", "comment": "x" * (COMMENT_MAX + 1)},
            "Your comment must be 1,200 characters or fewer",
        ),
        ({"answer": "delighted"}, "Not a valid choice."),
    ],
    ids=["no-answer", "comment-too-long", "not-an-answer"],
)
def test_a_bad_answer_is_shown_again_with_a_gov_uk_error(
    app: Flask, client: PageClient, closed: tuple[str, str], sent: dict[str, str], error: str
) -> None:
    reference, link = closed
    page = client.post_form(link, sent)
    assert page.status == 200
    assert page.title.startswith("Error: ")
    assert page.errors == [error]
    assert stored(app, reference).answer is None


def test_only_the_hash_of_the_link_is_kept(app: Flask, closed: tuple[str, str]) -> None:
    reference, link = closed
    token = link.rsplit("/", 1)[1]
    row = stored(app, reference)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    columns = [column.key for column in inspect(SatisfactionQuestion).column_attrs]
    assert not any(token in str(getattr(row, column)) for column in columns), "the token is kept nowhere"
