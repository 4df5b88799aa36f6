"""Partial indexes of the audit log: a case's changes, and its views, each apart from the other.

A case opened thousands of times would otherwise have its timeline read through every view, and
"who has looked at this case" through every change.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

IS_VIEW = "action = 'viewed'"
IS_CHANGE = "action != 'viewed'"


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(
            'ix_audit_event_changes',
            ['report_id', 'at', 'id'],
            unique=False,
            sqlite_where=sa.text(IS_CHANGE),
            postgresql_where=sa.text(IS_CHANGE),
        )
        batch_op.create_index(
            'ix_audit_event_views',
            ['report_id', 'actor_id', 'at'],
            unique=False,
            sqlite_where=sa.text(IS_VIEW),
            postgresql_where=sa.text(IS_VIEW),
        )


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_views')
        batch_op.drop_index('ix_audit_event_changes')
