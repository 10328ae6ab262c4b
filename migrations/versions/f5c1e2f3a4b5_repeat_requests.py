"""repeat requests (主单 / 关联单)

Revision ID: f5c1e2f3a4b5
Revises: f4b0d1e2f3a4
Create Date: 2026-11-29 07:00:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'f5c1e2f3a4b5'
down_revision = 'f4b0d1e2f3a4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
