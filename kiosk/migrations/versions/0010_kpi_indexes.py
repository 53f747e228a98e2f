"""the KPI page's period queries from indexes alone: each queue's wait percentile and the triage
accuracy (bench/staff_reports.py, KPIs over 90 days and 100,000 visits on SQLite: JSON median 1,255 ms before,
518 ms after)

Revision ID: 0010_kpi_indexes
Revises: 0008_evaluation
"""
from alembic import op

revision = "0010_kpi_indexes"
down_revision = "0008_evaluation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ticket_queue_wait", "tickets", ["queue", "wait_s", "issued_at"])
    op.create_index("ix_triage_created_status", "triages", ["created_at", "status", "business_type"])


def downgrade() -> None:
    op.drop_index("ix_triage_created_status", table_name="triages")
    op.drop_index("ix_ticket_queue_wait", table_name="tickets")
