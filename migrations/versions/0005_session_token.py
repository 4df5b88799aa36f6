"""A session token per back-office account, so that signing out or disabling ends every session.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=False, server_default=''))
    # Each existing account gets its own random token: existing sessions end, and must sign in again.
    connection = op.get_bind()
    accounts = sa.table('user_account', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    for (account_id,) in connection.execute(sa.select(accounts.c.id)).all():
        connection.execute(
            accounts.update().where(accounts.c.id == account_id).values(session_token=secrets.token_hex(32))
        )


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_token')
