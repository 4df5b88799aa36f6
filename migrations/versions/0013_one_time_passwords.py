"""One-time passwords: an account made or reset by an administrator must choose its own password.

An account that has not yet finished its first sign-in (it has no two-factor secret) still has
the password someone else chose for it, so it is asked to choose its own at its next sign-in.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('password_must_change', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        sa.text("UPDATE user_account SET password_must_change = :yes WHERE totp_secret IS NULL").bindparams(
            yes=True
        )
    )


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('password_must_change')
