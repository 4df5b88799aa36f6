"""Officers' accounts, the append-only audit log, case notes, the records of the work, and case state on reports.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_signed_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_audit_event_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_report_id_at', ['report_id', 'at'], unique=False)

    op.create_table('camera_deployment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('camera', sa.String(length=40), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('signage', sa.Boolean(), nullable=False),
    sa.Column('deployed_from', sa.Date(), nullable=False),
    sa.Column('deployed_to', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_camera_deployment_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_camera_deployment'))
    )
    with op.batch_alter_table('camera_deployment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_deployment_report_id'), ['report_id'], unique=False)

    op.create_table('case_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('emailed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_case_note_author_id_user_account')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_case_note_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_note'))
    )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_report_id'), ['report_id'], unique=False)

    op.create_table('mediation_record',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('referral_date', sa.Date(), nullable=True),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_mediation_record_report_id_report')),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_mediation_record'))
    )
    op.create_table('power_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('power', sa.String(length=32), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=False),
    sa.Column('served_on_name', sa.String(length=200), nullable=False),
    sa.Column('served_on_age_band', sa.String(length=16), nullable=False),
    sa.Column('served_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_power_use_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_power_use'))
    )
    with op.batch_alter_table('power_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_power_use_report_id'), ['report_id'], unique=False)

    op.create_table('target_hardening_record',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('survey_date', sa.Date(), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('other_items', sa.Text(), nullable=False),
    sa.Column('installation_date', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_target_hardening_record_report_id_report')),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_target_hardening_record'))
    )
    op.create_table('tasking_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_tasking_action_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasking_action'))
    )
    with op.batch_alter_table('tasking_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasking_action_report_id'), ['report_id'], unique=False)

    op.create_table('tasking_record',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=True),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_tasking_record_report_id_report')),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_tasking_record'))
    )
    with op.batch_alter_table('tasking_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasking_record_meeting_date'), ['meeting_date'], unique=False)

    with op.batch_alter_table('report', schema=None) as batch_op:
        # Existing reports: the case starts where the decision sent it (backfilled below).
        batch_op.add_column(sa.Column('current_route', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_contact_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('first_contact_channel', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('override_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('override_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('override_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.drop_index(batch_op.f('ix_report_due_by'))
        batch_op.drop_index(batch_op.f('ix_report_route_due_by'))
        batch_op.create_index(batch_op.f('ix_report_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_report_current_route_due_by_id', ['current_route', 'due_by', 'id'], unique=False)
        batch_op.create_index('ix_report_due_by_id', ['due_by', 'id'], unique=False)
        batch_op.create_index('ix_report_name_key', ['name_key'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_report_override_by_id_user_account'), 'user_account', ['override_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_report_assignee_id_user_account'), 'user_account', ['assignee_id'], ['id'])

    op.execute("UPDATE report SET current_route = route, name_key = lower(reporter_name)")

    # The audit log is append-only in the database too, whatever the application does.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )



def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_report_assignee_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_report_override_by_id_user_account'), type_='foreignkey')
        batch_op.drop_index('ix_report_name_key')
        batch_op.drop_index('ix_report_due_by_id')
        batch_op.drop_index('ix_report_current_route_due_by_id')
        batch_op.drop_index(batch_op.f('ix_report_assignee_id'))
        batch_op.create_index(batch_op.f('ix_report_route_due_by'), ['route', 'due_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_due_by'), ['due_by'], unique=False)
        batch_op.drop_column('version')
        batch_op.drop_column('name_key')
        batch_op.drop_column('override_at')
        batch_op.drop_column('override_by_id')
        batch_op.drop_column('override_reason')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('outcome')
        batch_op.drop_column('first_contact_channel')
        batch_op.drop_column('first_contact_on')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('current_route')

    with op.batch_alter_table('tasking_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasking_record_meeting_date'))

    op.drop_table('tasking_record')
    with op.batch_alter_table('tasking_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasking_action_report_id'))

    op.drop_table('tasking_action')
    op.drop_table('target_hardening_record')
    with op.batch_alter_table('power_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_power_use_report_id'))

    op.drop_table('power_use')
    op.drop_table('mediation_record')
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_report_id'))

    op.drop_table('case_note')
    with op.batch_alter_table('camera_deployment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_deployment_report_id'))

    op.drop_table('camera_deployment')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_report_id_at')

    op.drop_table('audit_event')
    op.drop_table('user_account')
