"""user session epoch: sign-out, password change and deactivation end every session

Revision ID: b7c1d2e3f4a5
Revises: 58c158a7b37b
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = '58c158a7b37b'
branch_labels = None
depends_on = None


def upgrade():
    # server_default: the accounts already there start at epoch 0 (their sessions, which carry
    # no epoch yet, end once: everyone signs in again after the upgrade).
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
