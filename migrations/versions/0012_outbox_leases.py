"""The outbox's leases and stable Message-IDs, and a notification when an email is queued.

A sender holds a message for a short lease that it renews while sending; a lease that runs out
gives the message back. Each email keeps one Message-ID for all its attempts. On PostgreSQL a
trigger NOTIFYs the channel ``outbox`` when a transaction that queued email commits, so the mail
worker sends at once instead of waiting for its next poll.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=120), nullable=True))
    # Emails queued before this revision get an id of their own; one left 'sending' by the old
    # sender is given back at the worker's first pass.
    op.execute(
        "UPDATE outbox_message SET message_id = '<outbox-' || CAST(id AS VARCHAR(20)) || '@do-it-online>'"
    )
    op.execute("UPDATE outbox_message SET lease_expires_at = claimed_at WHERE status = 'sending'")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.String(length=255), nullable=False)
        batch_op.create_index('ix_outbox_message_message_id', ['message_id'], unique=True)

    if op.get_context().dialect.name == 'postgresql':
        op.execute(
            """
            CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('outbox', '');
                RETURN NULL;
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER outbox_message_queued AFTER INSERT ON outbox_message "
            "FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()"
        )


def downgrade():
    if op.get_context().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER outbox_message_queued ON outbox_message")
        op.execute("DROP FUNCTION outbox_notify()")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_message_id')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('message_id')
