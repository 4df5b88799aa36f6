"""The satisfaction question asked when a case is closed: one a case, its link kept only as a hash, and the answer.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    # Cases closed before this revision were never asked, and are not asked now.
    op.create_table(
        'satisfaction_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('answer', sa.String(length=32), nullable=True),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('answered_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_satisfaction_question_report_id_report')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_question')),
    )
    with op.batch_alter_table('satisfaction_question', schema=None) as batch_op:
        batch_op.create_index('ix_satisfaction_question_report_id', ['report_id'], unique=True)
        batch_op.create_index('ix_satisfaction_question_token_hash', ['token_hash'], unique=True)


def downgrade():
    with op.batch_alter_table('satisfaction_question', schema=None) as batch_op:
        batch_op.drop_index('ix_satisfaction_question_token_hash')
        batch_op.drop_index('ix_satisfaction_question_report_id')
    op.drop_table('satisfaction_question')
