"""devices with their own tokens; the kiosk a ticket was issued at; an index for pruning idempotent requests

Revision ID: 0005_security
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_security"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("kind", "name", name="uq_device_kind_name"),
    )
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("device_id", sa.String(40), nullable=True))
    op.create_index("ix_idempotent_requests_created_at", "idempotent_requests", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotent_requests_created_at", table_name="idempotent_requests")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("device_id")
    op.drop_table("devices")
