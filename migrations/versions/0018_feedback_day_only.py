"""Feedback keeps only the day it was sent, on the London clock, not the moment.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

"""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

LONDON = ZoneInfo("Europe/London")
feedback = sa.table(
    "feedback",
    sa.column("id", sa.Integer()),
    sa.column("submitted_at", sa.DateTime(timezone=True)),
    sa.column("submitted_on", sa.Date()),
)


def _as_utc(moment: datetime) -> datetime:
    # SQLite keeps no time zone: the portal stored its moments there in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def upgrade():
    op.add_column("feedback", sa.Column("submitted_on", sa.Date(), nullable=True))
    # The day in London, as officers saw it, worked out here rather than in SQL: SQLite has no
    # time zones. Feedback is a small table.
    connection = op.get_bind()
    days: dict = {}
    for ident, moment in connection.execute(sa.select(feedback.c.id, feedback.c.submitted_at)):
        days.setdefault(_as_utc(moment).astimezone(LONDON).date(), []).append(ident)
    for day, idents in days.items():
        connection.execute(feedback.update().where(feedback.c.id.in_(idents)).values(submitted_on=day))
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.alter_column("submitted_on", existing_type=sa.Date(), nullable=False)
        batch_op.drop_index("ix_feedback_submitted_at")
        batch_op.drop_column("submitted_at")
        batch_op.create_index("ix_feedback_submitted_on", ["submitted_on"], unique=False)


def downgrade():
    # The time of day is gone: each row gets the start of its day in London.
    op.add_column("feedback", sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    days = connection.execute(sa.select(feedback.c.submitted_on).distinct()).scalars().all()
    for day in days:
        moment = datetime.combine(day, time(), LONDON).astimezone(UTC)
        connection.execute(
            feedback.update()
            .where(feedback.c.submitted_on == day)
            .values(submitted_at=moment.replace(tzinfo=None) if sqlite else moment)
        )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.alter_column("submitted_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_index("ix_feedback_submitted_on")
        batch_op.drop_column("submitted_on")
        batch_op.create_index("ix_feedback_submitted_at", ["submitted_at"], unique=False)
