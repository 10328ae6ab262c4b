"""API clients and tokens (Art.13)

Revision ID: f6d2f3a4b5c6
Revises: f5c1e2f3a4b5
Create Date: 2026-11-29 07:00:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'f6d2f3a4b5c6'
down_revision = 'f5c1e2f3a4b5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
