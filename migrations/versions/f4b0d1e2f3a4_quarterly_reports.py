"""quarterly reports and service meetings (Art.39/40)

Revision ID: f4b0d1e2f3a4
Revises: f3a9c0d1e2f3
Create Date: 2026-11-29 07:00:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'f4b0d1e2f3a4'
down_revision = 'f3a9c0d1e2f3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
