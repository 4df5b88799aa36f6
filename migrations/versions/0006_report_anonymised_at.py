"""When a closed report's personal data was removed under the retention period.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Existing reports have not been anonymised: NULL until `retention apply` reaches them.
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
