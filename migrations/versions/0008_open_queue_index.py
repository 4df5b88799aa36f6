"""A partial index of open cases for the officers' queue, so it stays fast at a million reports.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COLUMNS = [
    'due_by', 'id', 'current_route', 'safeguarding', 'first_contact_on', 'risk_level', 'ward',
    'assignee_id', 'name_key',
]


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(
            'ix_report_open_queue',
            COLUMNS,
            unique=False,
            sqlite_where=sa.text("status != 'closed'"),
            postgresql_where=sa.text("status != 'closed'"),
        )


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_open_queue')
