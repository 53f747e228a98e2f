"""appointments from booking to check-in: the booking's language, notifications with their delivery

Revision ID: 0009_appointments
Revises: 0006_routing
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_appointments"
down_revision = "0006_routing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("appointments", sa.Column("language", sa.String(4), nullable=False, server_default="zh"))
    op.create_index("ix_appointment_status_slot", "appointments", ["status", "slot_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("appointment_id", sa.Integer(), sa.ForeignKey("appointments.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(11), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("gateway", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("appointment_id", "kind", name="uq_notification_appointment_kind"),
    )
    op.create_index("ix_notification_status_due", "notifications", ["status", "due_at"])
    op.create_index("ix_notifications_created_at", "notifications", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_notifications_created_at", table_name="notifications")
    op.drop_index("ix_notification_status_due", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_appointment_status_slot", table_name="appointments")
    op.execute("ALTER TABLE appointments DROP COLUMN language")
