"""A resident's way in to see their report: an emailed link or an officer's code, kept only as a hash.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'resident_sign_in',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('failed_attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_resident_sign_in_report_id_report')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_sign_in')),
    )
    with op.batch_alter_table('resident_sign_in', schema=None) as batch_op:
        batch_op.create_index('ix_resident_sign_in_report_id_channel', ['report_id', 'channel'], unique=True)
        batch_op.create_index('ix_resident_sign_in_secret_hash', ['secret_hash'], unique=True)


def downgrade():
    with op.batch_alter_table('resident_sign_in', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_sign_in_secret_hash')
        batch_op.drop_index('ix_resident_sign_in_report_id_channel')
    op.drop_table('resident_sign_in')
