"""Queue counts kept by the database, so the queue's tabs add up a few rows, not every open case.

queue_count holds how many cases share a route, status, risk level, ward, officer and
safeguarding flag. Triggers on report keep queue_count exact in the same transaction as every insert, update and
delete, whatever writes the row (the portal, a bulk load, retention). "No officer" is stored as 0,
so every key column has a value to match on.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

KEYS = ('current_route', 'status', 'risk_level', 'ward', 'assignee_id', 'safeguarding')


def _values(row):
    return ', '.join(
        f'coalesce({row}.assignee_id, 0)' if key == 'assignee_id' else f'{row}.{key}' for key in KEYS
    )


def _matches(row):
    return ' AND '.join(
        f'assignee_id = coalesce({row}.assignee_id, 0)' if key == 'assignee_id' else f'{key} = {row}.{key}'
        for key in KEYS
    )


def _add(row):
    return (
        f"INSERT INTO queue_count ({', '.join(KEYS)}, cases) VALUES ({_values(row)}, 1) "
        f"ON CONFLICT ({', '.join(KEYS)}) DO UPDATE SET cases = queue_count.cases + 1"
    )


def _remove(row):
    return f'UPDATE queue_count SET cases = cases - 1 WHERE {_matches(row)}'


def _changed(differs):
    return ' OR '.join(f'OLD.{key} {differs} NEW.{key}' for key in KEYS)


def upgrade():
    op.create_table(
        'queue_count',
        sa.Column('current_route', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('risk_level', sa.String(length=16), nullable=False),
        sa.Column('ward', sa.String(length=100), nullable=False),
        sa.Column('assignee_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('safeguarding', sa.Boolean(), nullable=False),
        sa.Column('cases', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEYS, name=op.f('pk_queue_count')),
    )
    op.execute(
        f"INSERT INTO queue_count ({', '.join(KEYS)}, cases) "
        f"SELECT current_route, status, risk_level, ward, coalesce(assignee_id, 0), safeguarding, count(*) "
        f"FROM report GROUP BY current_route, status, risk_level, ward, coalesce(assignee_id, 0), safeguarding"
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION queue_count_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_remove('OLD')}; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add('NEW')}; END IF; "
            "RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER queue_count_insert_delete AFTER INSERT OR DELETE ON report "
            "FOR EACH ROW EXECUTE FUNCTION queue_count_keep()"
        )
        op.execute(
            f"CREATE TRIGGER queue_count_update AFTER UPDATE OF {', '.join(KEYS)} ON report "
            f"FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION queue_count_keep()"
        )
    else:
        op.execute(f"CREATE TRIGGER queue_count_insert AFTER INSERT ON report BEGIN {_add('NEW')}; END")
        op.execute(f"CREATE TRIGGER queue_count_delete AFTER DELETE ON report BEGIN {_remove('OLD')}; END")
        op.execute(
            f"CREATE TRIGGER queue_count_update AFTER UPDATE OF {', '.join(KEYS)} ON report "
            f"WHEN {_changed('IS NOT')} BEGIN {_remove('OLD')}; {_add('NEW')}; END"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER queue_count_update ON report")
        op.execute("DROP TRIGGER queue_count_insert_delete ON report")
        op.execute("DROP FUNCTION queue_count_keep()")
    else:
        for name in ('queue_count_insert', 'queue_count_delete', 'queue_count_update'):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('queue_count')
