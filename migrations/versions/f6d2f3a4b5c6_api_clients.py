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
    op.create_table(
        "api_client",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("description", sa.Text()),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("ab_user.id"), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("ab_user.id")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("api_client.id"), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("channels", sa.Text(), nullable=False),
        sa.Column("operations", sa.Text(), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("ab_user.id")),
        sa.Column("revoked_at", sa.DateTime()),
        sa.Column("revoked_by_id", sa.Integer(), sa.ForeignKey("ab_user.id")),
        sa.Column("last_used_at", sa.DateTime()),
    )
    op.create_index("ix_api_token_client_id", "api_token", ["client_id"])
    op.create_table(
        "api_client_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("api_client.id"), nullable=False),
        sa.Column("token_id", sa.Integer(), sa.ForeignKey("api_token.id")),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("ab_user.id")),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.Text()),
    )
    op.create_index("ix_api_client_event_client_id", "api_client_event", ["client_id"])
    op.create_table(
        "api_call_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("api_client.id")),
        sa.Column("token_id", sa.Integer(), sa.ForeignKey("api_token.id")),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("service_case.id")),
        sa.Column("remote_addr", sa.String(64)),
    )
    op.create_index("ix_api_call_log_client", "api_call_log", ["client_id", "id"])
    op.create_index("ix_api_call_log_at", "api_call_log", ["at"])
    # Existing cases keep api_client_id NULL: the partial unique index below covers only the
    # cases systems deliver, so cases keyed in by hand with a repeated reference still upgrade.
    with op.batch_alter_table("service_case") as batch:
        batch.add_column(sa.Column("api_client_id", sa.Integer()))
        batch.create_foreign_key(
            "fk_service_case_api_client_id", "api_client", ["api_client_id"], ["id"]
        )
    op.create_index(
        "uq_case_api_channel_ref",
        "service_case",
        ["channel_id", "external_ref"],
        unique=True,
        sqlite_where=sa.text("api_client_id IS NOT NULL"),
        postgresql_where=sa.text("api_client_id IS NOT NULL"),
    )
    _drop_capability(RETIRED_CAPABILITY)


# Survey systems post their results with their own API token now: the capability that let a
# person's account do it grants nothing and is no longer declared (app.domain.capabilities).
# Composed roles store capability codes; an unknown one would stop the role from loading.
RETIRED_CAPABILITY = "edit.surveys"


def _drop_capability(code: str) -> None:
    composed = sa.table(
        "composed_role",
        sa.column("id", sa.Integer),
        sa.column("capabilities", sa.Text),
        sa.column("version", sa.Integer),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(composed.c.id, composed.c.capabilities, composed.c.version).where(
            composed.c.capabilities.like(f"%{code}%")
        )
    ).all()
    for role_id, capabilities, version in rows:
        kept = sorted(c for c in (capabilities or "").split() if c != code)
        connection.execute(
            composed.update()
            .where(composed.c.id == role_id)
            .values(capabilities=" ".join(kept), version=(version or 0) + 1)
        )


def downgrade():
    # The retired capability is not given back: it granted nothing (see RETIRED_CAPABILITY).
    op.drop_index("uq_case_api_channel_ref", table_name="service_case")
    with op.batch_alter_table("service_case") as batch:
        batch.drop_constraint("fk_service_case_api_client_id", type_="foreignkey")
        batch.drop_column("api_client_id")
    op.drop_index("ix_api_call_log_at", table_name="api_call_log")
    op.drop_index("ix_api_call_log_client", table_name="api_call_log")
    op.drop_table("api_call_log")
    op.drop_index("ix_api_client_event_client_id", table_name="api_client_event")
    op.drop_table("api_client_event")
    op.drop_index("ix_api_token_client_id", table_name="api_token")
    op.drop_table("api_token")
    op.drop_table("api_client")
