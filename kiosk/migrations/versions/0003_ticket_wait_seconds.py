"""keep each ticket's wait (issue to first call) in seconds for the KPIs

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("wait_s", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE tickets SET wait_s = EXTRACT(EPOCH FROM called_at - issued_at)::int "
                   "WHERE called_at IS NOT NULL")
    else:
        op.execute("UPDATE tickets SET wait_s = CAST((julianday(called_at) - julianday(issued_at)) "
                   "* 86400 AS INTEGER) WHERE called_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("wait_s")
