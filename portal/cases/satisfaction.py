"""The one question a resident is asked when their case is closed: how satisfied they are.

Closing a case (``operations.change_status``) calls ``ask_on_closing`` in the same transaction: a
resident who said email is safe gets one email saying, by reference only, that the report is closed,
who to phone if the problem goes on, and a link to the question. Nothing is sent for an anonymous
report, one with no email, or one whose email is not safe. One question a case, ever: a case
reopened and closed again is not asked again, whether or not the first was answered (an officer who
wants to tell the resident about a second closing posts an update).

The link is a random token kept only as its hash (``portal/reports/links.py``), for this one
question; it works until the question is answered, or for ``SATISFACTION_LINK_DAYS`` after it was
sent. The first answer is kept; a second is refused. The answer is counted for the yearly figures
(``counts_for_year``); the comment is for the officers and goes when the case is anonymised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, func, select, update

from portal.database import write_transaction
from portal.extensions import db
from portal.mail import queue_email
from portal.models import Report, SatisfactionQuestion, User, audit
from portal.models.audit import AuditAction
from portal.models.types import utcnow
from portal.reports import links
from portal.triage.calendar import LONDON, london_date

QUESTION = "How satisfied are you with how we handled your report?"
# The answers, as the residents' page asks them, the back-office shows them and the figures count them.
ANSWER_LABELS = {
    "very_satisfied": "Very satisfied",
    "satisfied": "Satisfied",
    "partly_satisfied": "Partly satisfied",
    "dissatisfied": "Dissatisfied",
    "very_dissatisfied": "Very dissatisfied",
}
COMMENT_MAX = 1200
PURPOSE = "satisfaction_question"


@dataclass(frozen=True)
class Satisfaction:
    """What the case page shows of the question: when it was sent and, once answered, the answer."""

    sent_on: date
    answer: str | None  # its label
    comment: str
    answered_on: date | None


def _today() -> date:
    return london_date(utcnow())


def link_days() -> int:
    return int(current_app.config["SATISFACTION_LINK_DAYS"])


def ask_on_closing(report: Report, actor: User) -> None:
    """Queue the closing email with the question, if the resident may be emailed and was never asked.

    Runs inside the closing's transaction, on the locked case: the email, the stored question and
    the audit entry commit with the status, or not at all.
    """
    if not report.can_be_emailed:
        return
    asked = db.session.scalar(
        select(SatisfactionQuestion.id).where(SatisfactionQuestion.report_id == report.id)
    )
    if asked is not None:
        return
    token = links.new_token()
    db.session.add(
        SatisfactionQuestion(
            report_id=report.id, token_hash=links.token_hash(token), sent_on=_today(), comment=""
        )
    )
    queue_email(
        purpose=PURPOSE,
        recipient=report.reporter_email,
        subject=f"Your report {report.reference} has been closed",
        template="case_closed",
        context={
            "reference": report.reference,
            "question": QUESTION,
            "link": f"{current_app.config['PUBLIC_BASE_URL']}/your-report/satisfaction/{token}",
            "days": link_days(),
        },
        report_id=report.id,
    )
    audit.record(AuditAction.SATISFACTION_SENT, actor=actor, report=report)


def _open(token: str, today: date) -> tuple[ColumnElement[bool], ...]:
    """A question its link still answers: not answered, not expired, and its case not anonymised
    (once the resident's words are gone, no more are taken)."""
    return (
        SatisfactionQuestion.token_hash == links.token_hash(token),
        SatisfactionQuestion.answer.is_(None),
        SatisfactionQuestion.sent_on >= today - timedelta(days=link_days()),
        SatisfactionQuestion.report_id.in_(select(Report.id).where(Report.anonymised_at.is_(None))),
    )


def question_open(token: str) -> bool:
    """Whether ``token`` is the link to a question not yet answered, and not expired."""
    return db.session.scalar(select(SatisfactionQuestion.id).where(*_open(token, _today()))) is not None


def answer_question(token: str, answer: str, comment: str) -> bool:
    """Keep the resident's answer; False if the link was answered already, has expired or is unknown.

    A conditional update, so of two answers at once only the first is kept.
    """
    if answer not in ANSWER_LABELS:
        raise ValueError(f"not a satisfaction answer: {answer!r}")
    with write_transaction():
        today = _today()
        report_id = db.session.scalar(
            update(SatisfactionQuestion)
            .where(*_open(token, today))
            .values(answer=answer, comment=comment[:COMMENT_MAX], answered_on=today)
            .returning(SatisfactionQuestion.report_id)
        )
        if report_id is None:
            return False
        audit.record(
            AuditAction.SATISFACTION_ANSWERED,
            actor=None,
            report=db.session.get(Report, report_id),
            # The answer only: the comment is the resident's words, and the audit log keeps for ever.
            after={"answer": answer},
        )
    return True


def for_case(report: Report) -> Satisfaction | None:
    """The question sent for ``report``, if one was."""
    row = db.session.scalars(
        select(SatisfactionQuestion).where(SatisfactionQuestion.report_id == report.id)
    ).first()
    if row is None:
        return None
    return Satisfaction(row.sent_on, ANSWER_LABELS.get(row.answer or ""), row.comment, row.answered_on)


def counts_for_year(year: int) -> dict[str, int]:
    """How many residents gave each answer, for the cases closed in ``year`` (London calendar)."""
    start = datetime.combine(date(year, 1, 1), time(), LONDON)
    end = datetime.combine(date(year + 1, 1, 1), time(), LONDON)
    rows = db.session.execute(
        select(SatisfactionQuestion.answer, func.count())
        .join(Report, Report.id == SatisfactionQuestion.report_id)
        .where(
            SatisfactionQuestion.answer.is_not(None),
            Report.status == "closed",
            Report.closed_at >= start,
            Report.closed_at < end,
        )
        .group_by(SatisfactionQuestion.answer)
    )
    counted = dict(rows.tuples().all())
    return {label: int(counted.get(answer, 0)) for answer, label in ANSWER_LABELS.items()}
