"""roles an administrator composes from capabilities, and the record of their changes

Revision ID: d9e3f4a5b6c7
Revises: c8d2e3f4a5b6
Create Date: 2026-11-28 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd9e3f4a5b6c7'
down_revision = 'c8d2e3f4a5b6'
branch_labels = None
depends_on = None


def upgrade():
    # New tables only: a database that holds data keeps it, and its roles stay the built-in ones.
    op.create_table(
        'composed_role',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('reach', sa.String(length=20), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('capabilities', sa.Text(), nullable=False),
        sa.Column('assigned_only', sa.Boolean(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['role_id'], ['ab_role.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['changed_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('role_id'),
    )
    op.create_index('ix_composed_role_unit_id', 'composed_role', ['unit_id'])
    op.create_table(
        'role_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role_name', sa.String(length=64), nullable=False),
        sa.Column('change_type', sa.String(length=20), nullable=False),
        sa.Column('before', sa.Text(), nullable=True),
        sa.Column('after', sa.Text(), nullable=True),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['changed_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_role_change_role_name', 'role_change', ['role_name'])
    op.create_index('ix_role_change_changed_at', 'role_change', ['changed_at'])


def downgrade():
    op.drop_index('ix_role_change_changed_at', table_name='role_change')
    op.drop_index('ix_role_change_role_name', table_name='role_change')
    op.drop_table('role_change')
    op.drop_index('ix_composed_role_unit_id', table_name='composed_role')
    op.drop_table('composed_role')
