"""staff accountability: personal breaches of Art.27/28/29 awaiting the unit's handling opinion

personal_breach holds one row per breach by a person (app/models/staff.py, Art.23/42): the unit
that owes the handling opinion (branch_id, the branch scope's column), the employee, the article
(art27 / art28 / art29), the related case and violation register entry where there are some,
what happened and on which day, who at CSD recorded it and when, the opinion's due date (5
working days on the calendar, flagged provisional when it touched a year not loaded yet), and
the opinion with who entered it and when; open until entered. version is the optimistic lock of
two people entering the opinion at once.

Indexes serve the lists and the menu counts: a unit's breaches by status and due date
(ix_personal_breach_branch_status_due), the company-wide ones (ix_personal_breach_status_due),
an employee's and a case's breaches.

personal_breach_event is the immutable history (recorded, opinion entered: who, when, note); it
repeats the breach's unit so the branch scope applies to it directly.

New tables only: a database holding data keeps every row.

Revision ID: d1e5f6a7b8c9
Revises: c0d4e5f6a7b8
Create Date: 2026-11-29 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1e5f6a7b8c9'
down_revision = 'c0d4e5f6a7b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'personal_breach',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('article', sa.String(length=10), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('violation_id', sa.Integer(), nullable=True),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('opinion_due', sa.DateTime(), nullable=False),
        sa.Column('opinion_due_provisional', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('opinion', sa.Text(), nullable=True),
        sa.Column('opinion_by_id', sa.Integer(), nullable=True),
        sa.Column('opinion_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['employee_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['case_id'], ['service_case.id']),
        sa.ForeignKeyConstraint(['violation_id'], ['violation_entry.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['opinion_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_personal_breach_branch_status_due',
        'personal_breach',
        ['branch_id', 'status', 'opinion_due'],
    )
    op.create_index('ix_personal_breach_status_due', 'personal_breach', ['status', 'opinion_due'])
    op.create_index('ix_personal_breach_employee_id', 'personal_breach', ['employee_id'])
    op.create_index('ix_personal_breach_case_id', 'personal_breach', ['case_id'])
    op.create_table(
        'personal_breach_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('breach_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['breach_id'], ['personal_breach.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['actor_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_personal_breach_event_breach_id', 'personal_breach_event', ['breach_id']
    )
    op.create_index(
        'ix_personal_breach_event_branch_id', 'personal_breach_event', ['branch_id']
    )


def downgrade():
    op.drop_index('ix_personal_breach_event_branch_id', table_name='personal_breach_event')
    op.drop_index('ix_personal_breach_event_breach_id', table_name='personal_breach_event')
    op.drop_table('personal_breach_event')
    op.drop_index('ix_personal_breach_case_id', table_name='personal_breach')
    op.drop_index('ix_personal_breach_employee_id', table_name='personal_breach')
    op.drop_index('ix_personal_breach_status_due', table_name='personal_breach')
    op.drop_index('ix_personal_breach_branch_status_due', table_name='personal_breach')
    op.drop_table('personal_breach')
