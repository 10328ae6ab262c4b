"""case registration key (one case per submitted form), time of the last unreachable callback

Revision ID: c8d2e3f4a5b6
Revises: b7c1d2e3f4a5
Create Date: 2026-11-28 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8d2e3f4a5b6'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    # Both nullable: cases registered before the upgrade have no key and no recorded attempt.
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('last_unreachable_at', sa.DateTime(), nullable=True))
    # A unique index allows any number of NULLs on SQLite and PostgreSQL alike.
    op.create_index(
        'uq_case_registration_key', 'service_case', ['registration_key'], unique=True
    )


def downgrade():
    op.drop_index('uq_case_registration_key', table_name='service_case')
    with op.batch_alter_table('service_case', schema=None) as batch_op:
        batch_op.drop_column('last_unreachable_at')
        batch_op.drop_column('registration_key')
