"""case imports from Excel workbooks (Art.13)

Revision ID: a1e7f3b5c9d2
Revises: f6d2f3a4b5c6
Create Date: 2026-11-29 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1e7f3b5c9d2'
down_revision = 'f6d2f3a4b5c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("default_channel_id", sa.Integer(), nullable=True),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("valid_rows", sa.Integer(), nullable=False),
        sa.Column("error_rows", sa.Integer(), nullable=False),
        sa.Column("skipped_rows", sa.Integer(), nullable=False),
        sa.Column("imported_rows", sa.Integer(), nullable=False),
        sa.Column("confirm_key", sa.String(length=64), nullable=True),
        sa.Column("rows_json", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["default_channel_id"], ["channel.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_import_created_by_id", "case_import", ["created_by_id"])
    op.create_index("ix_case_import_sha256", "case_import", ["sha256"])
    op.create_index("ix_case_import_status", "case_import", ["status"])


def downgrade():
    op.drop_index("ix_case_import_status", table_name="case_import")
    op.drop_index("ix_case_import_sha256", table_name="case_import")
    op.drop_index("ix_case_import_created_by_id", table_name="case_import")
    op.drop_table("case_import")
