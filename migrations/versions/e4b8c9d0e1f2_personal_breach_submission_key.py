"""personal breach submission key: one breach per submitted recording form

CSD's form to record a personal breach (Art.42) carries a one-time key, like the case
registration form (service_case.registration_key): personal_breach gains submission_key and a
unique index on it (uq_personal_breach_submission_key), so a double click, a resent page or two
requests racing record one breach and notify the unit once.

The column is nullable: breaches recorded before the upgrade (or without the form) have no key,
and a unique index allows any number of NULLs on SQLite and PostgreSQL alike. Rows already there
keep their data. Downgrade drops the index and the column.

Revision ID: e4b8c9d0e1f2
Revises: e3a7b8c9d0e1
Create Date: 2026-11-29 05:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b8c9d0e1f2'
down_revision = 'e3a7b8c9d0e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('personal_breach', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
    op.create_index(
        'uq_personal_breach_submission_key', 'personal_breach', ['submission_key'], unique=True
    )


def downgrade():
    op.drop_index('uq_personal_breach_submission_key', table_name='personal_breach')
    with op.batch_alter_table('personal_breach', schema=None) as batch_op:
        batch_op.drop_column('submission_key')
