"""service evaluation: who signed in at a counter and served each ticket, its handling time,
ratings per ticket, guides' shifts, complaint cases with notes, the nearest distance of a visit

Revision ID: 0008_evaluation
Revises: 0009_appointments
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_evaluation"
down_revision = "0009_appointments"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("served_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("service_s", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_tickets_served_by_users", "users", ["served_by"], ["id"])
        batch.create_index("ix_ticket_served_by", ["served_by", "finished_at", "status", "service_s", "wait_s"])
    # the handling time of tickets already done, as hall/tickets.py keeps it from now on
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE tickets SET service_s = EXTRACT(EPOCH FROM finished_at - COALESCE(serving_at, called_at))::int "
            "WHERE status = 'done' AND COALESCE(serving_at, called_at) IS NOT NULL"
        )
    else:
        op.execute(
            "UPDATE tickets SET service_s = CAST((julianday(finished_at) - julianday(COALESCE(serving_at, "
            "called_at))) * 86400 AS INTEGER) WHERE status = 'done' AND COALESCE(serving_at, called_at) IS NOT NULL"
        )
    with op.batch_alter_table("counters") as batch:
        batch.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("signed_in_at", AT, nullable=True))
        batch.create_foreign_key("fk_counters_staff_id_users", "users", ["staff_id"], ["id"])
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("nearest_m", sa.Float(), nullable=True))
    op.create_table(
        "staff_shifts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("started_at", AT, nullable=False),
        sa.Column("ended_at", AT, nullable=False),
    )
    op.create_index("ix_shift_user_started", "staff_shifts", ["user_id", "started_at"])
    op.create_index("ix_staff_shifts_started_at", "staff_shifts", ["started_at"])
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False, unique=True),
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey("visits.id"), nullable=True),
        sa.Column("counter_id", sa.Integer(), sa.ForeignKey("counters.id"), nullable=True),
        sa.Column("served_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("created_at", AT, nullable=False),
    )
    op.create_index("ix_ratings_visit_id", "ratings", ["visit_id"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey("visits.id"), nullable=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=True),
        sa.Column("origin", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("opened_at", AT, nullable=False),
        sa.Column("opened_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("closed_at", AT, nullable=True),
        sa.Column("closed_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("finding", sa.Text(), nullable=False),
    )
    op.create_index("ix_cases_visit_id", "cases", ["visit_id"])
    op.create_index("ix_case_status_opened", "cases", ["status", "opened_at"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"])
    # the scorecards' lookups: decisions, answered alerts and transfers per person and period, and
    # the visits near enough to be greeted per shift; the ticket, triage and visit ones are covering
    # (bench/staff_reports.py: the 90-day report over 100,000 visits on SQLite halved)
    op.create_index("ix_triage_decided_by", "triages", ["decided_by", "decided_at", "status"])
    op.create_index("ix_visit_started_near", "visits", ["started_at", "nearest_m", "greeted"])
    op.create_index("ix_alert_resolved_by", "guide_alerts", ["resolved_by", "resolved_at"])
    op.create_index("ix_audit_action_at", "audit_log", ["action", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_action_at", table_name="audit_log")
    op.drop_index("ix_alert_resolved_by", table_name="guide_alerts")
    op.drop_index("ix_visit_started_near", table_name="visits")
    op.drop_index("ix_triage_decided_by", table_name="triages")
    op.drop_table("case_notes")
    op.drop_table("cases")
    op.drop_table("ratings")
    op.drop_table("staff_shifts")
    with op.batch_alter_table("visits") as batch:
        batch.drop_column("nearest_m")
    with op.batch_alter_table("counters") as batch:
        batch.drop_constraint("fk_counters_staff_id_users", type_="foreignkey")
        batch.drop_column("signed_in_at")
        batch.drop_column("staff_id")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_ticket_served_by")
        batch.drop_constraint("fk_tickets_served_by_users", type_="foreignkey")
        batch.drop_column("service_s")
        batch.drop_column("served_by")
