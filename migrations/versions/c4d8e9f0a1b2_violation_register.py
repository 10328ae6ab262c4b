"""violation register: the Art.41 breaches of each unit with their deduction, and the history of
every entry

violation_entry holds one row per breach (app/models/violations.py): its cause, the unit, the
case where there is one, proposed / confirmed / waived, and the deduction in basis points taken
from the Art.41 table in force on the day the breach occurred, so the figure stays traceable
whatever later revisions of the table say. Detected breaches and complaint determinations carry
a dedupe_key under a unique index: `suqiu detect-violations` inserts with ON CONFLICT
(dedupe_key) DO NOTHING, so a breach is proposed once however often and from however many
instances it runs; entries CSD records by hand have none (NULLs never collide, on SQLite and
PostgreSQL alike). version is the optimistic lock of two people deciding one entry at once.

Indexes serve the register's list: a unit's entries by status and day
(ix_violation_entry_branch_status_occurred), the company-wide list newest first
(ix_violation_entry_occurred), CSD's entries awaiting confirmation
(ix_violation_entry_status_occurred), and a case's entries, which the detection reads to skip
cases already proposed (ix_violation_entry_case_cause).

violation_entry_event is the immutable history of an entry (proposed, recorded, confirmed,
waived: who, when, note); it repeats the entry's unit so the branch scope applies to it directly.

New tables only: a database holding data keeps every row, and its register starts empty.

Revision ID: c4d8e9f0a1b2
Revises: b3c7d8e9f0a1
Create Date: 2026-11-29 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e9f0a1b2'
down_revision = 'b3c7d8e9f0a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'violation_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cause', sa.String(length=30), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('deduction_bp', sa.Integer(), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('dedupe_key', sa.String(length=120), nullable=True),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('proposed_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['case_id'], ['service_case.id']),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_violation_entry_branch_status_occurred',
        'violation_entry',
        ['branch_id', 'status', 'occurred_on'],
    )
    op.create_index('ix_violation_entry_occurred', 'violation_entry', ['occurred_on', 'id'])
    op.create_index(
        'ix_violation_entry_status_occurred', 'violation_entry', ['status', 'occurred_on']
    )
    op.create_index('ix_violation_entry_case_cause', 'violation_entry', ['case_id', 'cause'])
    op.create_index(
        'uq_violation_entry_dedupe_key', 'violation_entry', ['dedupe_key'], unique=True
    )
    op.create_table(
        'violation_entry_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['entry_id'], ['violation_entry.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['actor_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_violation_entry_event_entry_id', 'violation_entry_event', ['entry_id']
    )
    op.create_index(
        'ix_violation_entry_event_branch_id', 'violation_entry_event', ['branch_id']
    )


def downgrade():
    op.drop_index('ix_violation_entry_event_branch_id', table_name='violation_entry_event')
    op.drop_index('ix_violation_entry_event_entry_id', table_name='violation_entry_event')
    op.drop_table('violation_entry_event')
    op.drop_index('uq_violation_entry_dedupe_key', table_name='violation_entry')
    op.drop_index('ix_violation_entry_case_cause', table_name='violation_entry')
    op.drop_index('ix_violation_entry_status_occurred', table_name='violation_entry')
    op.drop_index('ix_violation_entry_occurred', table_name='violation_entry')
    op.drop_index('ix_violation_entry_branch_status_occurred', table_name='violation_entry')
    op.drop_table('violation_entry')
