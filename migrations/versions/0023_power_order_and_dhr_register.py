"""The ASB tools and powers in the law's order, their breaches, and the Domestic Homicide Review register.

A power record can name the earlier record it follows (a notice the warning before it; a fixed
penalty or a prosecution the notice breached), and has the expiry and review dates the council
sets and whether the victim was told. Breaches have their own rows, with their dates. The
register of Domestic Homicide Reviews keeps an operation name, never a person's. The dates the
yearly figures count by are indexed.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('domestic_homicide_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation', sa.String(length=100), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('panel_on', sa.Date(), nullable=True),
    sa.Column('report_writing_on', sa.Date(), nullable=True),
    sa.Column('home_office_on', sa.Date(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('agencies', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domestic_homicide_review')),
    sa.UniqueConstraint('operation', name=op.f('uq_domestic_homicide_review_operation'))
    )
    op.create_table('power_breach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('power_use_id', sa.Integer(), nullable=False),
    sa.Column('breached_on', sa.Date(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['power_use_id'], ['power_use.id'], name=op.f('fk_power_breach_power_use_id_power_use')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_power_breach'))
    )
    with op.batch_alter_table('power_breach', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_power_breach_breached_on'), ['breached_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_power_breach_power_use_id'), ['power_use_id'], unique=False)

    with op.batch_alter_table('camera_deployment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_deployment_deployed_from'), ['deployed_from'], unique=False)

    with op.batch_alter_table('mediation_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_record_referral_date'), ['referral_date'], unique=False)

    with op.batch_alter_table('power_use', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follows_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('victim_told', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('victim_told_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_power_use_follows_id'), ['follows_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_power_use_used_on'), ['used_on'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_power_use_follows_id_power_use'), 'power_use', ['follows_id'], ['id'])

    with op.batch_alter_table('target_hardening_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_hardening_record_installation_date'), ['installation_date'], unique=False)

    with op.batch_alter_table('tasking_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasking_action_done_on'), ['done_on'], unique=False)



def downgrade():
    with op.batch_alter_table('tasking_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasking_action_done_on'))

    with op.batch_alter_table('target_hardening_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_hardening_record_installation_date'))

    with op.batch_alter_table('power_use', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_power_use_follows_id_power_use'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_power_use_used_on'))
        batch_op.drop_index(batch_op.f('ix_power_use_follows_id'))
        batch_op.drop_column('victim_told_on')
        batch_op.drop_column('victim_told')
        batch_op.drop_column('review_on')
        batch_op.drop_column('expires_on')
        batch_op.drop_column('follows_id')

    with op.batch_alter_table('mediation_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_record_referral_date'))

    with op.batch_alter_table('camera_deployment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_deployment_deployed_from'))

    with op.batch_alter_table('power_breach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_power_breach_power_use_id'))
        batch_op.drop_index(batch_op.f('ix_power_breach_breached_on'))

    op.drop_table('power_breach')
    op.drop_table('domestic_homicide_review')
