from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class SatisfactionQuestion(db.Model):  # type: ignore[name-defined]
    """The one question a resident is asked when their case is closed, and their answer.

    One a case, ever (a unique case id): a case reopened and closed again is not asked again. The
    link's token is kept only as its hash (``portal/reports/links.py``). Days, not instants: when it
    was sent and answered is all the figures and the link's expiry need. The comment is the
    resident's own words and goes when the case is anonymised (``portal/privacy/retention.py``).
    """

    __tablename__ = "satisfaction_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"))
    token_hash: Mapped[str] = mapped_column(String(64))
    sent_on: Mapped[date] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_satisfaction_question_report_id", "report_id", unique=True),
        Index("ix_satisfaction_question_token_hash", "token_hash", unique=True),
    )
