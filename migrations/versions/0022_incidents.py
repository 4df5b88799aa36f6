"""Incidents a resident adds to their own case, each later assessment of a case, and the queue's
knowledge of a safeguarding flag a later assessment raised.

An incident's evidence files are attachments of the case carrying the incident's id. Unseen
incidents have their own partial index, for the queue's "new incident" marker and filter. The
case counts its incidents, so a case with none reads none. The open-queue index gains
``raised_safeguarding``, so "safeguarding first" is read from it as before.
The report table is altered in place, never copied: a copy would lose the queue_count triggers of
migration 0009 on SQLite.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

OPEN_QUEUE_COLUMNS = [
    'due_by', 'id', 'current_route', 'safeguarding', 'first_contact_on', 'risk_level', 'ward',
    'assignee_id', 'name_key',
]
OPEN = "status != 'closed'"


def upgrade():
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('time_of_day', sa.String(length=100), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('who', sa.Text(), nullable=False),
    sa.Column('harm', sa.JSON(), nullable=False),
    sa.Column('effect', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_by_officer_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_incident_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_report_id_created_at', ['report_id', 'created_at'], unique=False)
        batch_op.create_index('ix_incident_unseen', ['report_id'], unique=False, sqlite_where=sa.text('seen_by_officer_at IS NULL'), postgresql_where=sa.text('seen_by_officer_at IS NULL'))

    op.create_table('reassessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('route', sa.String(length=32), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('risk_score', sa.Integer(), nullable=False),
    sa.Column('risk_level', sa.String(length=16), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('safeguarding', sa.Boolean(), nullable=False),
    sa.Column('due_by', sa.Date(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=64), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('change', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_reassessment_incident_id_incident')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_reassessment_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reassessment'))
    )
    with op.batch_alter_table('reassessment', schema=None) as batch_op:
        batch_op.create_index('ix_reassessment_report_id_id', ['report_id', 'id'], unique=False)

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incident_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachment_incident_id'), ['incident_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attachment_incident_id_incident'), 'incident', ['incident_id'], ['id'])

    op.add_column('report', sa.Column('raised_safeguarding', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.add_column('report', sa.Column('incident_count', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.drop_index('ix_report_open_queue', table_name='report')
    op.create_index('ix_report_open_queue', 'report', [*OPEN_QUEUE_COLUMNS, 'raised_safeguarding'], unique=False, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade():
    op.drop_index('ix_report_open_queue', table_name='report')
    op.create_index('ix_report_open_queue', 'report', OPEN_QUEUE_COLUMNS, unique=False, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.drop_column('report', 'incident_count')
    op.drop_column('report', 'raised_safeguarding')

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attachment_incident_id_incident'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachment_incident_id'))
        batch_op.drop_column('incident_id')

    with op.batch_alter_table('reassessment', schema=None) as batch_op:
        batch_op.drop_index('ix_reassessment_report_id_id')

    op.drop_table('reassessment')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_unseen', sqlite_where=sa.text('seen_by_officer_at IS NULL'), postgresql_where=sa.text('seen_by_officer_at IS NULL'))
        batch_op.drop_index('ix_incident_report_id_created_at')

    op.drop_table('incident')
