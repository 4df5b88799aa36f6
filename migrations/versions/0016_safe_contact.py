"""Safe contact for victims: safe times to call, whether a voicemail or a text is safe, and a safe
alternative contact.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # Reports from before this revision were never asked: no times, no alternative, and None for
    # the yes/no answers, which is "not asked". Plain ADD COLUMN, not a batch: on SQLite a batch
    # rebuilds the table, and with it would go the queue-count triggers of revision 0009.
    op.add_column('report', sa.Column('safe_call_times', sa.String(length=200), nullable=False, server_default=''))
    op.add_column('report', sa.Column('voicemail_ok', sa.Boolean(), nullable=True))
    op.add_column('report', sa.Column('text_ok', sa.Boolean(), nullable=True))
    op.add_column('report', sa.Column('safe_alternative_contact', sa.Text(), nullable=False, server_default=''))


def downgrade():
    # DROP COLUMN (SQLite 3.35 and later), again without rebuilding the table.
    op.drop_column('report', 'safe_alternative_contact')
    op.drop_column('report', 'text_ok')
    op.drop_column('report', 'voicemail_ok')
    op.drop_column('report', 'safe_call_times')
