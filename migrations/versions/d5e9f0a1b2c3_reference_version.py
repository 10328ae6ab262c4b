"""reference version: each process keeps the channels, kinds, time-limit rules and calendar a
registration reads, and reloads them when this number moves

A registration read them on every case: five statements and the building of the rules and the
calendar, a third of its time (issue 12: 202 cases/s with 2 workers at 1 M cases on
PostgreSQL, the raw statements 368/s). The number comes back with the case number, from the
counter's upsert, so that checking it costs no statement:

    INSERT INTO case_number_counter (day, last) VALUES (…, 1)
    ON CONFLICT (day) DO UPDATE SET last = case_number_counter.last + 1
    RETURNING case_number_counter.last, (SELECT version FROM reference_version WHERE id = 1)

Every flush that writes one of those tables raises it (app.services.reference_data).

Revision ID: d5e9f0a1b2c3
Revises: c4d8e9f0a1b2
Create Date: 2026-11-29 01:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd5e9f0a1b2c3'
down_revision = 'c4d8e9f0a1b2'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'reference_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'version': 0}])  # id 1, from the sequence on PostgreSQL


def downgrade():
    op.drop_table('reference_version')
