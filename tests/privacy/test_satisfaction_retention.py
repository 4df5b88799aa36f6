"""At the end of the retention period the resident's comment on how their case was handled goes with
their other words; the answer stays, as the yearly figures count it."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Report, SatisfactionQuestion
from portal.models.types import utcnow
from portal.privacy.retention import REMOVED, apply_retention
from tests.cases import make_case
from tests.closing import answer, close, question_link
from tests.helpers import PageClient
from tests.officers import Account


def test_an_anonymised_case_keeps_the_answer_and_loses_the_comment(
    app: Flask, client: PageClient, supervisor: Account
) -> None:
    reference = make_case(app)
    close(app, reference, supervisor)
    answer(client, question_link(app, reference), "partly_satisfied", "Jo at number 3 still shouts")
    with app.app_context():
        db.session.execute(
            update(Report)
            .where(Report.reference == reference)
            .values(closed_at=utcnow() - timedelta(days=800))
        )
        db.session.commit()
        assert apply_retention().reports_anonymised == 1
        row = db.session.scalars(select(SatisfactionQuestion)).one()
        assert (row.answer, row.comment) == ("partly_satisfied", REMOVED)


def test_a_question_not_answered_before_the_case_is_anonymised_can_no_longer_be_answered(
    app: Flask, client: PageClient, supervisor: Account
) -> None:
    reference = make_case(app)
    close(app, reference, supervisor)
    link = question_link(app, reference)
    form = client.get(link)  # the page left open until after the case was anonymised
    with app.app_context():
        db.session.execute(
            update(Report)
            .where(Report.reference == reference)
            .values(closed_at=utcnow() - timedelta(days=800))
        )
        db.session.commit()
        assert apply_retention().reports_anonymised == 1
    assert client.get(link).status == 410
    sent = client.post(
        link, {"csrf_token": form.csrf_token(), "answer": "very_dissatisfied", "comment": "Jo at number 3"}
    )
    assert sent.status == 410
    with app.app_context():
        row = db.session.scalars(select(SatisfactionQuestion)).one()
        assert (row.answer, row.comment) == (None, "")
