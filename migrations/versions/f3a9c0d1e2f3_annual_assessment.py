"""annual assessment (Art.41)

Revision ID: f3a9c0d1e2f3
Revises: e2f6a7b8c9d0
Create Date: 2026-11-29 07:00:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'f3a9c0d1e2f3'
down_revision = 'e2f6a7b8c9d0'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
