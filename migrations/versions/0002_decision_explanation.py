"""Keep the words behind each triage decision: its points, floors and flag reasons.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Reports decided before this revision have no recorded explanation: an empty one.
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('explanation')
