"""Residents' feedback on the service: a satisfaction rating and an optional comment, with no personal data asked for.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('satisfaction', sa.String(length=32), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_submitted_at', ['submitted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_submitted_at')
    op.drop_table('feedback')
