"""index tickets by issue time for the KPI period queries; the appointment→ticket key on PostgreSQL

0001 created tables in one pass, so on PostgreSQL the appointments.ticket_id
foreign key (a cycle with tickets.appointment_id) was left out; SQLite has it.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ticket_issued", "tickets", ["issued_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key("fk_appointments_ticket_id", "appointments", "tickets",
                              ["ticket_id"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_appointments_ticket_id", "appointments", type_="foreignkey")
    op.drop_index("ix_ticket_issued", table_name="tickets")
