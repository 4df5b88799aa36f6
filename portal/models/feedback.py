from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class Feedback(db.Model):  # type: ignore[name-defined]
    """A resident's answer to the feedback page: how satisfied they were, and an optional comment.

    Nothing here says who sent it. Only the day it was sent is kept, on the London clock: the time
    of day, matched with a web server's logs, could point to the resident. The comment is free text
    and may still name someone, so it goes at the end of the retention period
    (``portal/privacy/retention.py``); the rating stays.
    """

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submitted_on: Mapped[date] = mapped_column(Date)
    satisfaction: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_feedback_submitted_on", "submitted_on"),)
