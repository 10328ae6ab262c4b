"""branch bulletins (Art.37/38): units submit notices, CSD reviews them, history, late notice

bulletin gains the review workflow (app/domain/bulletins.py): status (submitted / returned /
published), the area affected and an optional business category, notified_at (when the unit
notified CSD: the end of the lateness window), who submitted and who published it and when,
CSD's latest reason for sending it back, the violation entry recorded for a late notice (unique:
once per bulletin), the submission form's one-time key (unique: a form sent twice makes one
notice) and version, the optimistic lock of two people acting on one notice at once.
Every bulletin already there was published by CSD: it becomes a published one, published when
it was created; notified_at stays NULL, as nobody knows when its unit told CSD (CSD creating it
is not the unit notifying), so no lateness is judged and no unit charged for it (Art.37/38/41).
Indexes: CSD's 待审核 list and the registration screen's published bulletins (status,
starts_at), a unit's own notices (branch_id, status), the submission key.

bulletin_event is the immutable history of a bulletin (who, when, what, note); it repeats the
bulletin's unit so the branch scope applies to it directly.

Revision ID: c0d4e5f6a7b8
Revises: b9c3d4e5f6a7
Create Date: 2026-11-29 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0d4e5f6a7b8'
down_revision = 'b9c3d4e5f6a7'
branch_labels = None
depends_on = None


def upgrade():
    # The NOT NULL columns take their value for the rows already there from a server default,
    # dropped in a second batch as the model has none (on SQLite that batch copies the table).
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('status', sa.String(length=20), nullable=False, server_default='published')
        )
        batch_op.add_column(
            sa.Column('version', sa.Integer(), nullable=False, server_default='1')
        )
        batch_op.add_column(sa.Column('area', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('business_category_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('return_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('violation_entry_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            'fk_bulletin_business_category_id',
            'business_category',
            ['business_category_id'],
            ['id'],
        )
        batch_op.create_foreign_key(
            'fk_bulletin_submitted_by_id', 'ab_user', ['submitted_by_id'], ['id']
        )
        batch_op.create_foreign_key(
            'fk_bulletin_published_by_id', 'ab_user', ['published_by_id'], ['id']
        )
        batch_op.create_foreign_key(
            'fk_bulletin_violation_entry_id', 'violation_entry', ['violation_entry_id'], ['id']
        )
        batch_op.create_unique_constraint(
            'uq_bulletin_violation_entry_id', ['violation_entry_id']
        )
        batch_op.create_index('ix_bulletin_status_starts', ['status', 'starts_at'], unique=False)
        batch_op.create_index('ix_bulletin_branch', ['branch_id', 'status'], unique=False)
        batch_op.create_index('uq_bulletin_submission_key', ['submission_key'], unique=True)
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.alter_column('version', server_default=None)
    # CSD published every bulletin there is, when it made it. When its unit notified CSD is
    # unknown: notified_at stays NULL (no lateness window, never charged to the unit).
    bulletin = sa.table(
        'bulletin',
        sa.column('created_at', sa.DateTime()),
        sa.column('published_at', sa.DateTime()),
    )
    op.execute(bulletin.update().values(published_at=bulletin.c.created_at))

    op.create_table(
        'bulletin_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bulletin_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['bulletin_id'], ['bulletin.id']),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.ForeignKeyConstraint(['actor_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_bulletin_event_bulletin_id', 'bulletin_event', ['bulletin_id'])
    op.create_index('ix_bulletin_event_branch_id', 'bulletin_event', ['branch_id'])


def downgrade():
    op.drop_index('ix_bulletin_event_branch_id', table_name='bulletin_event')
    op.drop_index('ix_bulletin_event_bulletin_id', table_name='bulletin_event')
    op.drop_table('bulletin_event')
    # The older schema knows published bulletins only: a unit's notice not (or not yet)
    # published is kept but no longer shown.
    bulletin = sa.table(
        'bulletin', sa.column('status', sa.String()), sa.column('active', sa.Boolean())
    )
    op.execute(bulletin.update().where(bulletin.c.status != 'published').values(active=False))
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.drop_index('uq_bulletin_submission_key')
        batch_op.drop_index('ix_bulletin_branch')
        batch_op.drop_index('ix_bulletin_status_starts')
        batch_op.drop_constraint('uq_bulletin_violation_entry_id', type_='unique')
        batch_op.drop_constraint('fk_bulletin_violation_entry_id', type_='foreignkey')
        batch_op.drop_constraint('fk_bulletin_published_by_id', type_='foreignkey')
        batch_op.drop_constraint('fk_bulletin_submitted_by_id', type_='foreignkey')
        batch_op.drop_constraint('fk_bulletin_business_category_id', type_='foreignkey')
        batch_op.drop_column('submission_key')
        batch_op.drop_column('violation_entry_id')
        batch_op.drop_column('return_reason')
        batch_op.drop_column('published_at')
        batch_op.drop_column('published_by_id')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('submitted_by_id')
        batch_op.drop_column('notified_at')
        batch_op.drop_column('business_category_id')
        batch_op.drop_column('area')
        batch_op.drop_column('version')
        batch_op.drop_column('status')
