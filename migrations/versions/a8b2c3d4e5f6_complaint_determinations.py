"""complaint determinations: CSD's determination of each 投诉 case (Art.8/9/32), its approval,
the responsible unit's objection, the evidence files and an immutable history

complaint_determination holds one row per 投诉 case (uq_complaint_determination_case: a second
determination racing the first fails on it): the investigation's findings, 有效/无效 with the
Art.8 breach category or the reason for invalidity, the Art.9 grade and the criteria that held
(comma-separated codes), the responsible unit (branch_id, the branch scope's column), the
responsibility and, where personal, the employee and cause; the workflow status, who
investigated and approved, when it started counting (approved_at) and the objection deadline.
version is the optimistic lock. Indexes serve a unit's list and the queues by status
(ix_complaint_determination_branch_status, ix_complaint_determination_status), the company-wide
list (ix_complaint_determination_updated), Art.42's reading of an employee's approved complaints
(ix_complaint_determination_employee), and 待认定, the 投诉 cases newest first, from
ix_case_kind_received on service_case (an index added to an existing table: its rows stay).

complaint_determination_event is the immutable history (who, when, what, note) with a JSON
snapshot of the determination before each change, so a changed determination keeps the earlier
one. complaint_evidence holds the investigation's and the objection's files (stored under
generated names, shown under their original ones). complaint_objection is the unit's one
objection (uq_complaint_objection_determination) and CSD's answer.

New tables only: a database holding data keeps every row.

Revision ID: a8b2c3d4e5f6
Revises: f7a1b2c3d4e5
Create Date: 2026-11-29 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8b2c3d4e5f6'
down_revision = 'f7a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'complaint_determination',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('determination', sa.String(length=10), nullable=True),
        sa.Column('findings', sa.Text(), nullable=True),
        sa.Column('breach_category', sa.String(length=30), nullable=True),
        sa.Column('grade', sa.String(length=10), nullable=True),
        sa.Column('criteria', sa.String(length=200), nullable=True),
        sa.Column('invalid_reason', sa.String(length=20), nullable=True),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column('responsibility', sa.String(length=10), nullable=True),
        sa.Column('employee_id', sa.Integer(), nullable=True),
        sa.Column('personal_cause', sa.Text(), nullable=True),
        sa.Column('investigated_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', sa.DateTime(), nullable=True),
        sa.Column('objection_due', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['service_case.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['employee_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['investigated_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['approved_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'uq_complaint_determination_case', 'complaint_determination', ['case_id'], unique=True
    )
    op.create_index(
        'ix_complaint_determination_branch_status',
        'complaint_determination',
        ['branch_id', 'status', 'updated_at'],
    )
    op.create_index(
        'ix_complaint_determination_status', 'complaint_determination', ['status', 'updated_at']
    )
    op.create_index(
        'ix_complaint_determination_updated', 'complaint_determination', ['updated_at', 'id']
    )
    op.create_index(
        'ix_complaint_determination_employee',
        'complaint_determination',
        ['employee_id', 'approved_at'],
    )
    op.create_table(
        'complaint_determination_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('determination_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('from_status', sa.String(length=20), nullable=True),
        sa.Column('to_status', sa.String(length=20), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('snapshot', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['determination_id'], ['complaint_determination.id']),
        sa.ForeignKeyConstraint(['actor_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_complaint_determination_event_determination_id',
        'complaint_determination_event',
        ['determination_id'],
    )
    op.create_table(
        'complaint_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('determination_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['determination_id'], ['complaint_determination.id']),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('stored_name'),
    )
    op.create_index(
        'ix_complaint_evidence_determination_id', 'complaint_evidence', ['determination_id']
    )
    op.create_table(
        'complaint_objection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('determination_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('lodged_by_id', sa.Integer(), nullable=True),
        sa.Column('lodged_at', sa.DateTime(), nullable=False),
        sa.Column('outcome', sa.String(length=10), nullable=True),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['determination_id'], ['complaint_determination.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['lodged_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['answered_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'uq_complaint_objection_determination',
        'complaint_objection',
        ['determination_id'],
        unique=True,
    )
    op.create_index('ix_complaint_objection_branch_id', 'complaint_objection', ['branch_id'])
    op.create_index('ix_case_kind_received', 'service_case', ['kind_id', 'received_at'])


def downgrade():
    op.drop_index('ix_case_kind_received', table_name='service_case')
    op.drop_index('ix_complaint_objection_branch_id', table_name='complaint_objection')
    op.drop_index('uq_complaint_objection_determination', table_name='complaint_objection')
    op.drop_table('complaint_objection')
    op.drop_index('ix_complaint_evidence_determination_id', table_name='complaint_evidence')
    op.drop_table('complaint_evidence')
    op.drop_index(
        'ix_complaint_determination_event_determination_id',
        table_name='complaint_determination_event',
    )
    op.drop_table('complaint_determination_event')
    op.drop_index('ix_complaint_determination_employee', table_name='complaint_determination')
    op.drop_index('ix_complaint_determination_updated', table_name='complaint_determination')
    op.drop_index('ix_complaint_determination_status', table_name='complaint_determination')
    op.drop_index(
        'ix_complaint_determination_branch_status', table_name='complaint_determination'
    )
    op.drop_index('uq_complaint_determination_case', table_name='complaint_determination')
    op.drop_table('complaint_determination')
