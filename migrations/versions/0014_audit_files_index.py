"""A partial index of the audit log's downloads and exports, newest first, across every case.

The back-office's "Downloads and exports" page reads the latest of them; without it, the page
would read the whole log, views and all.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

IS_FILE = "action IN ('evidence_downloaded', 'exported', 'exported_for_subject_access')"


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(
            'ix_audit_event_files',
            ['at', 'id'],
            unique=False,
            sqlite_where=sa.text(IS_FILE),
            postgresql_where=sa.text(IS_FILE),
        )


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_files')
