"""annual assessment (Art.41): the versions of each year's assessment, the snapshot a finalised
version keeps, the units' objections and the history

assessment holds one row per version of a year's assessment (app/models/assessments.py): draft,
open for objections (with the deadline), finalised (who, when) or reopened (who, when, why);
(year, version) is unique, lock_version the optimistic lock of two people finalising at once.
assessment_line and assessment_deduction are the snapshot copied at finalisation: every unit's
rank, counts and figures, and every register entry counted with its deduction; the register's
guard looks entries up by ix_assessment_deduction_entry. assessment_objection is a unit's
objection to an entry (reason, evidence, CSD's answer; submission_key unique against a double
submit), assessment_event the immutable history.

New tables only: a database holding data keeps every row.

Revision ID: f3a9c0d1e2f3
Revises: e2f6a7b8c9d0
Create Date: 2026-11-29 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a9c0d1e2f3'
down_revision = 'e2f6a7b8c9d0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('objection_deadline', sa.Date(), nullable=True),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('opened_at', sa.DateTime(), nullable=True),
        sa.Column('finalised_by_id', sa.Integer(), nullable=True),
        sa.Column('finalised_at', sa.DateTime(), nullable=True),
        sa.Column('reopened_by_id', sa.Integer(), nullable=True),
        sa.Column('reopened_at', sa.DateTime(), nullable=True),
        sa.Column('reopen_reason', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('lock_version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['opened_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['finalised_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['reopened_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year', 'version', name='uq_assessment_year_version'),
    )
    op.create_table(
        'assessment_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('branch_name', sa.String(length=100), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('general', sa.Integer(), nullable=False),
        sa.Column('major', sa.Integer(), nullable=False),
        sa.Column('violations', sa.Integer(), nullable=False),
        sa.Column('deduction_bp', sa.Integer(), nullable=False),
        sa.Column('score_bp', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('assessment_id', 'branch_id', name='uq_assessment_line_unit'),
    )
    with op.batch_alter_table('assessment_line', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_assessment_line_assessment_id'), ['assessment_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_assessment_line_branch_id'), ['branch_id'], unique=False
        )
    op.create_table(
        'assessment_deduction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('case_number', sa.String(length=40), nullable=True),
        sa.Column('cause', sa.String(length=30), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('deduction_bp', sa.Integer(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['entry_id'], ['violation_entry.id']),
        sa.ForeignKeyConstraint(['case_id'], ['service_case.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('assessment_deduction', schema=None) as batch_op:
        batch_op.create_index(
            'ix_assessment_deduction_assessment_branch',
            ['assessment_id', 'branch_id'],
            unique=False,
        )
        batch_op.create_index('ix_assessment_deduction_entry', ['entry_id'], unique=False)
    op.create_table(
        'assessment_objection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('lodged_by_id', sa.Integer(), nullable=True),
        sa.Column('lodged_at', sa.DateTime(), nullable=False),
        sa.Column('submission_key', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id']),
        sa.ForeignKeyConstraint(['entry_id'], ['violation_entry.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['lodged_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['answered_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('submission_key', name='uq_assessment_objection_key'),
    )
    with op.batch_alter_table('assessment_objection', schema=None) as batch_op:
        batch_op.create_index(
            'ix_assessment_objection_assessment_status',
            ['assessment_id', 'status'],
            unique=False,
        )
        batch_op.create_index('ix_assessment_objection_branch', ['branch_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_assessment_objection_entry_id'), ['entry_id'], unique=False
        )
    op.create_table(
        'assessment_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['actor_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('assessment_event', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_assessment_event_assessment_id'), ['assessment_id'], unique=False
        )


def downgrade():
    op.drop_table('assessment_event')
    op.drop_table('assessment_objection')
    op.drop_table('assessment_deduction')
    op.drop_table('assessment_line')
    op.drop_table('assessment')
