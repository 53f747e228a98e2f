"""a covering index for "who waits ahead, per business type", counted on every ticket issued

The count read the table for each waiting ticket's business type; with the
type in the index it reads the index alone, however long the queue.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ticket_waiting_by_type", "tickets",
                    ["service_day", "queue", "status", "business_type", "rank", "order_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_waiting_by_type", table_name="tickets")
