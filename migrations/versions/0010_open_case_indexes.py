"""Partial indexes of open cases: by the reporter's name, and the tasking meeting's agenda.

Searching the queue by name reads only the open cases with that name; the agenda reads a route's
open cases (tasking), safeguarding first and by due date, a page at a time, and counts them from
the same index.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

NAME_COLUMNS = ['name_key', 'current_route', 'due_by', 'id', 'safeguarding', 'first_contact_on']
ROUTE_COLUMNS = ['current_route', 'safeguarding', 'due_by', 'id', 'submitted_at']
OPEN = "status != 'closed'"


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(
            'ix_report_open_name',
            NAME_COLUMNS,
            unique=False,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )
        batch_op.create_index(
            'ix_report_open_route',
            ROUTE_COLUMNS,
            unique=False,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_open_route')
        batch_op.drop_index('ix_report_open_name')
