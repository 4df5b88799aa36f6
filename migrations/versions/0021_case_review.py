"""The ASB Case Review: an application on an ASB case, its threshold decision, the review meeting,
the outcome letter and any escalation; the review's recommendations are tasking actions carrying
its id.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('case_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('applicant', sa.String(length=12), nullable=False),
    sa.Column('applicant_name', sa.String(length=200), nullable=False),
    sa.Column('applicant_email', sa.String(length=254), nullable=False),
    sa.Column('applicant_phone', sa.String(length=30), nullable=False),
    sa.Column('consent_given_on', sa.Date(), nullable=True),
    sa.Column('consent_how', sa.Text(), nullable=False),
    sa.Column('account', sa.Text(), nullable=False),
    sa.Column('reported_elsewhere', sa.JSON(), nullable=False),
    sa.Column('decision_due', sa.Date(), nullable=False),
    sa.Column('threshold_met', sa.Boolean(), nullable=True),
    sa.Column('threshold', sa.JSON(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('review_due', sa.Date(), nullable=True),
    sa.Column('meeting_on', sa.Date(), nullable=True),
    sa.Column('chair_name', sa.String(length=200), nullable=False),
    sa.Column('chair_organisation', sa.String(length=200), nullable=False),
    sa.Column('agencies_present', sa.JSON(), nullable=False),
    sa.Column('victim_invited', sa.Boolean(), nullable=False),
    sa.Column('victim_attended', sa.Boolean(), nullable=False),
    sa.Column('victim_views_in_writing', sa.Boolean(), nullable=False),
    sa.Column('victim_views', sa.Text(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('outcome_due', sa.Date(), nullable=True),
    sa.Column('outcome_sent_on', sa.Date(), nullable=True),
    sa.Column('outcome_summary', sa.Text(), nullable=False),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('escalation_body', sa.String(length=200), nullable=False),
    sa.Column('escalation_reason', sa.Text(), nullable=False),
    sa.Column('escalation_result', sa.String(length=16), nullable=True),
    sa.Column('escalation_decided_on', sa.Date(), nullable=True),
    sa.Column('escalation_note', sa.Text(), nullable=False),
    sa.Column('policy_version', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_case_review_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_case_review_report_id_report')),
    sa.ForeignKeyConstraint(['taken_by_id'], ['user_account.id'], name=op.f('fk_case_review_taken_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_review'))
    )
    with op.batch_alter_table('case_review', schema=None) as batch_op:
        batch_op.create_index('ix_case_review_applied_at', ['applied_at'], unique=False)
        batch_op.create_index('ix_case_review_report_id', ['report_id'], unique=False)
        batch_op.create_index('ix_case_review_stage_decision_due', ['stage', 'decision_due'], unique=False)

    with op.batch_alter_table('tasking_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_review_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tasking_action_case_review_id'), ['case_review_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tasking_action_case_review_id_case_review'), 'case_review', ['case_review_id'], ['id'])


def downgrade():

    with op.batch_alter_table('tasking_action', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tasking_action_case_review_id_case_review'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tasking_action_case_review_id'))
        batch_op.drop_column('case_review_id')

    with op.batch_alter_table('case_review', schema=None) as batch_op:
        batch_op.drop_index('ix_case_review_stage_decision_due')
        batch_op.drop_index('ix_case_review_report_id')
        batch_op.drop_index('ix_case_review_applied_at')

    op.drop_table('case_review')
