"""quarterly reports and service meetings (Art.39/40)

quarterly_report: one per quarter, its figures frozen as JSON at generation (snapshot), CSD's
analysis and measures, draft → submitted → distributed, versioned. quarterly_report_event: its
immutable history, the leaders' and committee's 批示 included. report_answer: a unit's handling
opinion, one per report and unit, due 5 working days after the distribution, late / flagged by
the sweep. service_meeting and meeting_measure: the minutes and the measures decided, each with
its owner unit, due date and done note. New tables only: a database holding data upgrades as is.

Revision ID: f4b0d1e2f3a4
Revises: f3a9c0d1e2f3
Create Date: 2026-11-29 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4b0d1e2f3a4'
down_revision = 'f3a9c0d1e2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'quarterly_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('snapshot', sa.Text(), nullable=False),
        sa.Column('analysis', sa.Text(), nullable=True),
        sa.Column('measures', sa.Text(), nullable=True),
        sa.Column('generated_at', sa.DateTime(), nullable=False),
        sa.Column('generated_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('distributed_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['generated_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'uq_quarterly_report_quarter', 'quarterly_report', ['year', 'quarter'], unique=True
    )
    op.create_table(
        'quarterly_report_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['report_id'], ['quarterly_report.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_quarterly_report_event_report_id', 'quarterly_report_event', ['report_id']
    )
    op.create_table(
        'report_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('valid_complaints', sa.Integer(), nullable=False),
        sa.Column('due', sa.DateTime(), nullable=False),
        sa.Column('due_provisional', sa.Boolean(), nullable=False),
        sa.Column('opinion', sa.Text(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('flagged_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['answered_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['report_id'], ['quarterly_report.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'uq_report_answer_unit', 'report_answer', ['report_id', 'branch_id'], unique=True
    )
    op.create_index(
        'ix_report_answer_due', 'report_answer', ['answered_at', 'flagged_at', 'due']
    )
    op.create_index('ix_report_answer_branch', 'report_answer', ['branch_id', 'due'])
    op.create_table(
        'service_meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('minutes', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_service_meeting_held_on', 'service_meeting', ['held_on'])
    op.create_table(
        'meeting_measure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.Column('done_note', sa.Text(), nullable=True),
        sa.Column('done_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['done_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['meeting_id'], ['service_meeting.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_meeting_measure_meeting_id', 'meeting_measure', ['meeting_id'])
    op.create_index(
        'ix_meeting_measure_branch', 'meeting_measure', ['branch_id', 'done_at', 'due_on']
    )


def downgrade():
    op.drop_index('ix_meeting_measure_branch', table_name='meeting_measure')
    op.drop_index('ix_meeting_measure_meeting_id', table_name='meeting_measure')
    op.drop_table('meeting_measure')
    op.drop_index('ix_service_meeting_held_on', table_name='service_meeting')
    op.drop_table('service_meeting')
    op.drop_index('ix_report_answer_branch', table_name='report_answer')
    op.drop_index('ix_report_answer_due', table_name='report_answer')
    op.drop_index('uq_report_answer_unit', table_name='report_answer')
    op.drop_table('report_answer')
    op.drop_index('ix_quarterly_report_event_report_id', table_name='quarterly_report_event')
    op.drop_table('quarterly_report_event')
    op.drop_index('uq_quarterly_report_quarter', table_name='quarterly_report')
    op.drop_table('quarterly_report')
