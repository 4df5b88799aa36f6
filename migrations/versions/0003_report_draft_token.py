"""Record which draft each report was sent from, so a draft can never become two reports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Reports sent before this revision have no recorded draft: NULLs do not collide in a unique index.
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_report_draft_token'), ['draft_token'])


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_report_draft_token'), type_='unique')
        batch_op.drop_column('draft_token')
