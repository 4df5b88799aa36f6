"""A link to continue an unfinished report: the draft keeps a keyed hash of a safe email and of one link.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # Drafts from before this revision have no hash: they can be continued only in their browser.
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resume_email_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('resume_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('resume_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_draft_resume_email_hash', ['resume_email_hash'], unique=False)
        batch_op.create_index('ix_draft_resume_token_hash', ['resume_token_hash'], unique=True)


def downgrade():
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_index('ix_draft_resume_token_hash')
        batch_op.drop_index('ix_draft_resume_email_hash')
        batch_op.drop_column('resume_expires_at')
        batch_op.drop_column('resume_token_hash')
        batch_op.drop_column('resume_email_hash')
