"""Closing a case tells a resident who said email is safe, by reference only, and asks one question."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.cases import operations
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, Report, SatisfactionQuestion, User
from portal.models.audit import AuditAction
from tests.cases import make_case
from tests.closing import LINK, answer, close, question_link, reopen
from tests.conftest import MailCatcher
from tests.helpers import PageClient
from tests.officers import Account

RESIDENT = "lee.resident@example.org"
# Everything about the case that someone else reading the resident's inbox must not learn.
CASE_DETAIL = {
    "description": "Teenagers kicking the door of number 14 every night",
    "address": "14 Station Road, Dronfield",
    "postcode": "S18 2XY",
    "reporter_name": "Lee Resident",
}


def _emails_of(app: Flask, reference: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboxMessage)
                .join(Report)
                .where(Report.reference == reference)
                .order_by(OutboxMessage.id)
            )
        )


def test_closing_a_case_sends_exactly_one_email_saying_so_by_reference_only(
    app: Flask, supervisor: Account, mailbox: MailCatcher
) -> None:
    reference = make_case(app, reporter_email=RESIDENT, status="in_progress", **CASE_DETAIL)
    close(app, reference, supervisor, outcome="referred")

    [email] = mailbox.to(RESIDENT)
    assert email["Subject"] == f"Your report {reference} has been closed"
    for part in ("plain", "html"):
        body = email.get_body((part,)).get_content()
        assert reference in body
        assert "How satisfied are you with how we handled your report?" in body
        assert "01246 231111" in body, "who to phone if the problem continues"
        assert "/your-report/satisfaction/" in body
        for detail in (*CASE_DETAIL.values(), supervisor.name, "Referred", "referred", "tasking"):
            assert detail not in body, f"{detail!r} is case detail"
    found = LINK.search(email.get_body(("plain",)).get_content())
    assert found is not None
    link = found.group(1)
    assert reference not in link and "resident" not in link.lower(), "the link holds no personal data"
    with app.app_context():
        [kept] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.purpose == "satisfaction_question")
        )
        assert (kept.status, kept.body_text, kept.body_html) == ("sent", "", ""), "no working link is kept"


def test_the_email_is_queued_with_the_closing_and_goes_only_if_the_closing_commits(
    app: Flask, supervisor: Account, mailbox: MailCatcher
) -> None:
    reference = make_case(app, reporter_email=RESIDENT)
    with app.app_context():
        officer = db.session.get(User, supervisor.id)
        assert officer is not None
        with pytest.raises(operations.StaleCase):
            operations.change_status(reference, officer, "closed", "resolved", version=99)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert db.session.scalar(select(func.count()).select_from(SatisfactionQuestion)) == 0
    assert mailbox.to(RESIDENT) == []


@pytest.mark.parametrize(
    "resident",
    [
        {"safe_to_email": False},
        {"anonymous": True, "reporter_name": ""},  # an address left behind is still not used
        {"reporter_email": ""},
    ],
    ids=["email-not-safe", "anonymous", "no-email"],
)
def test_nothing_is_sent_when_the_resident_cannot_be_emailed(
    app: Flask, supervisor: Account, mailbox: MailCatcher, resident: dict[str, object]
) -> None:
    reference = make_case(app, **{"reporter_email": RESIDENT, **resident})
    close(app, reference, supervisor)

    assert _emails_of(app, reference) == []
    assert mailbox.messages == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SatisfactionQuestion)) == 0
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert AuditAction.SATISFACTION_SENT not in actions


@pytest.mark.parametrize("answered", [False, True], ids=["not-answered", "answered"])
def test_a_case_reopened_and_closed_again_is_not_asked_again(
    app: Flask, supervisor: Account, mailbox: MailCatcher, client: PageClient, answered: bool
) -> None:
    reference = make_case(app, reporter_email=RESIDENT)
    close(app, reference, supervisor)
    if answered:
        answer(client, question_link(app, reference), "satisfied")
    reopen(app, reference, supervisor)
    close(app, reference, supervisor)

    assert [m.purpose for m in _emails_of(app, reference)] == ["satisfaction_question"]
    assert len(mailbox.to(RESIDENT)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SatisfactionQuestion)) == 1
