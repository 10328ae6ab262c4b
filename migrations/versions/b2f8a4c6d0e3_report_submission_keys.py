"""quarterly reports: one-time form keys for meetings, measures and comments

The forms that record a service meeting, add a measure to one (Art.40) and write a 批示 on a
quarterly report (Art.39) carry a one-time key, like CSD's personal breach form
(personal_breach.submission_key): service_meeting, meeting_measure and quarterly_report_event
gain submission_key with a unique index each, so a double click, a resent page or two requests
racing record one meeting / measure / 批示 and notify once. The columns are nullable: the rows
already there (and the events that are no form's) have no key, and a unique index allows any
number of NULLs on SQLite and PostgreSQL alike; rows keep their data.

service_meeting_event: a meeting's history (Art.40), one immutable row per step, e.g. a unit
reporting its measure done (the measure, its unit, the note, who and when).

Downgrade drops the history table, the indexes and the columns.

Revision ID: b2f8a4c6d0e3
Revises: a1e7f3b5c9d2
Create Date: 2026-11-29 08:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2f8a4c6d0e3'
down_revision = 'a1e7f3b5c9d2'
branch_labels = None
depends_on = None

KEYED = (
    ('service_meeting', 'uq_service_meeting_submission_key'),
    ('meeting_measure', 'uq_meeting_measure_submission_key'),
    ('quarterly_report_event', 'uq_quarterly_report_event_submission_key'),
)


def upgrade():
    for table, index in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        op.create_index(index, table, ['submission_key'], unique=True)
    op.create_table(
        'service_meeting_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=True),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['service_meeting.id']),
        sa.ForeignKeyConstraint(['measure_id'], ['meeting_measure.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['actor_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_service_meeting_event_meeting_id', 'service_meeting_event', ['meeting_id']
    )


def downgrade():
    op.drop_index('ix_service_meeting_event_meeting_id', table_name='service_meeting_event')
    op.drop_table('service_meeting_event')
    for table, index in reversed(KEYED):
        op.drop_index(index, table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('submission_key')
