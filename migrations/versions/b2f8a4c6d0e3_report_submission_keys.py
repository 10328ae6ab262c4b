"""quarterly reports: one-time form keys for meetings, measures and comments

Revision ID: b2f8a4c6d0e3
Revises: a1e7f3b5c9d2
Create Date: 2026-11-29 08:05:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'b2f8a4c6d0e3'
down_revision = 'a1e7f3b5c9d2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
