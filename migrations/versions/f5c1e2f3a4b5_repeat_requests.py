"""repeat requests (主单 / 关联单): a case's 主单 and the indexes of the repeat lookup

service_case.primary_case_id (nullable, a foreign key to service_case) links a 关联单 to its
主单 (app.domain.repeats); every case registered before the upgrade is linked to none.
The registration page looks up the caller's open cases of the last 30 days by telephone number,
gas account or address: one index range each, (column, received_at), instead of reading the
cases of the window; ix_case_primary lists a 主单's 关联单 and serves the 重复诉求数 figure.

Revision ID: f5c1e2f3a4b5
Revises: f4b0d1e2f3a4
Create Date: 2026-11-29 07:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f5c1e2f3a4b5"
down_revision = "f4b0d1e2f3a4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("primary_case_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_case_primary_case", "service_case", ["primary_case_id"], ["id"]
        )
    op.create_index("ix_case_primary", "service_case", ["primary_case_id"])
    op.create_index("ix_case_phone_received", "service_case", ["customer_phone", "received_at"])
    op.create_index("ix_case_account_received", "service_case", ["gas_account", "received_at"])
    op.create_index("ix_case_address_received", "service_case", ["customer_address", "received_at"])


def downgrade():
    op.drop_index("ix_case_address_received", table_name="service_case")
    op.drop_index("ix_case_account_received", table_name="service_case")
    op.drop_index("ix_case_phone_received", table_name="service_case")
    op.drop_index("ix_case_primary", table_name="service_case")
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.drop_constraint("fk_case_primary_case", type_="foreignkey")
        batch_op.drop_column("primary_case_id")
