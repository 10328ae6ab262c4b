"""user e-mail optional: many of the utility's staff have no e-mail address

Revision ID: e0f4a5b6c7d8
Revises: d9e3f4a5b6c7
Create Date: 2026-11-28 22:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e0f4a5b6c7d8'
down_revision = 'd9e3f4a5b6c7'
branch_labels = None
depends_on = None


def upgrade():
    # Only the NOT NULL goes: the unique index stays, and NULLs never collide in it (SQLite and
    # PostgreSQL alike). Existing addresses are kept as they are.
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=320), nullable=True)


def downgrade():
    # Accounts without an address get one that can never receive mail (RFC 2606 .invalid).
    op.execute(
        "UPDATE ab_user SET email = 'user-' || id || '@no-email.invalid' WHERE email IS NULL"
    )
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=320), nullable=False)
