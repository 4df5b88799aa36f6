"""Closing a case as an officer would, and following the link in the email it sends the resident."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from portal.cases import operations
from portal.extensions import db
from portal.models import OutboxMessage, Report, User
from tests.helpers import Page, PageClient
from tests.officers import Account

LINK = re.compile(r"https?://\S+(/your-report/satisfaction/[A-Za-z0-9_-]+)")


def close(app: Flask, reference: str, account: Account, outcome: str = "resolved") -> None:
    with app.app_context():
        officer = db.session.get(User, account.id)
        assert officer is not None
        operations.change_status(reference, officer, "closed", outcome, None)


def reopen(app: Flask, reference: str, account: Account) -> None:
    with app.app_context():
        officer = db.session.get(User, account.id)
        assert officer is not None
        operations.change_status(reference, officer, "in_progress", None, None)


def question_link(app: Flask, reference: str) -> str:
    """The path of the link in the case's closing email, as queued in the outbox: before it is sent,
    as a sent email with a working link keeps no body."""
    with app.app_context():
        [body] = db.session.scalars(
            select(OutboxMessage.body_text)
            .join(Report, Report.id == OutboxMessage.report_id)
            .where(Report.reference == reference, OutboxMessage.purpose == "satisfaction_question")
        ).all()
    found = LINK.search(body)
    assert found is not None, body
    return found.group(1)


def answer(client: PageClient, link: str, satisfaction: str, comment: str = "") -> Page:
    """Open the emailed link and send an answer, as the resident would."""
    return client.post_form(link, {"answer": satisfaction, "comment": comment})
