"""complaint changes: each responsible unit objects once, an objection's files belong to it

After issue 8's review, a change of a complaint determination is approved by 客服部主管 and an
approved change naming another responsible unit gives that unit its own objection: the unique
index on complaint_objection moves from (determination_id) to (determination_id, branch_id)
(uq_complaint_objection_determination_branch), and complaint_evidence gains objection_id, the
objection an objection file belongs to (so a unit sees its own objection's files only). The
rows already there keep their data: each existing objection file is linked to the one objection
its determination had.

Downgrade: drops objection_id and restores the one-objection-per-determination index (a
database holding two objections of one determination cannot go back: the index creation fails).

Revision ID: e3a7b8c9d0e1
Revises: d1e5f6a7b8c9
Create Date: 2026-11-29 05:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e3a7b8c9d0e1'
down_revision = 'd1e5f6a7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('uq_complaint_objection_determination', table_name='complaint_objection')
    op.create_index(
        'uq_complaint_objection_determination_branch',
        'complaint_objection',
        ['determination_id', 'branch_id'],
        unique=True,
    )
    with op.batch_alter_table('complaint_evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objection_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_complaint_evidence_objection_id', ['objection_id'])
        batch_op.create_foreign_key(
            'fk_complaint_evidence_objection_id', 'complaint_objection', ['objection_id'], ['id']
        )
    op.execute(
        "UPDATE complaint_evidence SET objection_id = ("
        "SELECT o.id FROM complaint_objection o "
        "WHERE o.determination_id = complaint_evidence.determination_id) "
        "WHERE purpose = 'objection'"
    )


def downgrade():
    with op.batch_alter_table('complaint_evidence', schema=None) as batch_op:
        batch_op.drop_constraint('fk_complaint_evidence_objection_id', type_='foreignkey')
        batch_op.drop_index('ix_complaint_evidence_objection_id')
        batch_op.drop_column('objection_id')
    op.drop_index('uq_complaint_objection_determination_branch', table_name='complaint_objection')
    op.create_index(
        'uq_complaint_objection_determination',
        'complaint_objection',
        ['determination_id'],
        unique=True,
    )
