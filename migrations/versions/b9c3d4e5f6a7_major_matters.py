"""major matters: the committee's review of a flagged case (Art.22/33/34) and its entries

major_matter holds one review per case (uq_major_matter_case): why it was opened (triggers:
adverse_impact, major_interest, property_loss, casualties, major_complaint, comma-separated),
open or closed, when and by whom, and the case's responsible unit (branch_id, NULL until the
case is dispatched, kept in step when it is dispatched or returned) for the branch scope.
version is the optimistic lock of a close racing an entry (every entry touches updated_at).

Indexes serve the list, open reviews first and newest first, company-wide
(ix_major_matter_status_opened) or of one unit (ix_major_matter_branch_status).

major_matter_entry is the immutable history of a review: the unit's handling plan and progress
reports (Art.33), the leader's and committee's 批示, CSD's notes and close, and what the system
recorded (opened, a reason added, reopened, the unit changed), each with its author and time.

New tables only: a database holding data keeps every row. Its flagged cases registered before
this revision get no review by themselves (CSD opens them by hand if needed).

Revision ID: b9c3d4e5f6a7
Revises: a8b2c3d4e5f6
Create Date: 2026-11-29 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b9c3d4e5f6a7'
down_revision = 'a8b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'major_matter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column('triggers', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['service_case.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['opened_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['closed_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('uq_major_matter_case', 'major_matter', ['case_id'], unique=True)
    op.create_index('ix_major_matter_status_opened', 'major_matter', ['status', 'opened_at'])
    op.create_index(
        'ix_major_matter_branch_status', 'major_matter', ['branch_id', 'status', 'opened_at']
    )
    op.create_table(
        'major_matter_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('matter_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['matter_id'], ['major_matter.id']),
        sa.ForeignKeyConstraint(['author_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_major_matter_entry_matter_id'), 'major_matter_entry', ['matter_id']
    )


def downgrade():
    op.drop_index(op.f('ix_major_matter_entry_matter_id'), table_name='major_matter_entry')
    op.drop_table('major_matter_entry')
    op.drop_index('ix_major_matter_branch_status', table_name='major_matter')
    op.drop_index('ix_major_matter_status_opened', table_name='major_matter')
    op.drop_index('uq_major_matter_case', table_name='major_matter')
    op.drop_table('major_matter')
