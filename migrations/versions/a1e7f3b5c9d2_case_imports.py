"""case imports from Excel workbooks (Art.13)

Revision ID: a1e7f3b5c9d2
Revises: f6d2f3a4b5c6
Create Date: 2026-11-29 07:10:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a1e7f3b5c9d2'
down_revision = 'f6d2f3a4b5c6'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
