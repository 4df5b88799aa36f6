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
