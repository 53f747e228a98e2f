"""routing after triage: presence and shifts of duty staff, hand-overs a desk accepts, call-backs,
urgent guide alerts, back-office accounts linked to their roster entry

Revision ID: 0006_routing
Revises: 0005_security
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_routing"
down_revision = "0005_security"
branch_labels = None
depends_on = None


# SQLite: only ALTER TABLE … ADD / DROP COLUMN (3.35+), never a batch copy of a table: duty_staff
# and users are referenced by rows of other tables, and with foreign keys on a copy cannot drop them.
EPOCH = sa.text("'1970-01-01 00:00:00+00:00'")


def upgrade() -> None:
    # reachability is presence on the desk page plus the roster, no longer a guide's toggle
    op.add_column("duty_staff", sa.Column("shift", sa.JSON(), nullable=True))
    op.add_column("duty_staff", sa.Column("available_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("ALTER TABLE duty_staff DROP COLUMN on_duty")
    op.execute(sa.text("UPDATE duty_staff SET available = :no").bindparams(no=False))

    op.add_column("handovers", sa.Column("status", sa.String(16), nullable=False, server_default="accepted"))
    op.add_column("handovers", sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False,
                                         server_default=EPOCH))
    op.add_column("handovers", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("handovers", sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("handovers", sa.Column("meet", sa.String(8), nullable=True))
    op.add_column("handovers", sa.Column("tried", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("handovers", sa.Column("text", sa.Text(), nullable=False, server_default=""))
    # the hand-overs before desks existed were handled by guides: closed as accepted
    op.execute("UPDATE handovers SET offered_at = created_at, accepted_at = COALESCE(taken_at, created_at)")
    op.execute("ALTER TABLE handovers DROP COLUMN taken_at")
    op.create_index("ix_handover_status_offered", "handovers", ["status", "offered_at"])

    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("business_type", sa.String(40), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("phone", sa.String(11), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(60), nullable=True),
        sa.Column("visit_id", sa.Integer(), sa.ForeignKey("visits.id"), nullable=True),
        sa.Column("handover_id", sa.Integer(), sa.ForeignKey("handovers.id"), nullable=True),
        sa.Column("language", sa.String(4), nullable=False),
    )
    op.create_index("ix_callback_type_status", "callbacks", ["business_type", "status"])

    op.add_column("guide_alerts", sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()))

    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE users ADD COLUMN staff_id INTEGER REFERENCES duty_staff (id)")
    else:
        op.add_column("users", sa.Column("staff_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_users_staff_id", "users", "duty_staff", ["staff_id"], ["id"])


def downgrade() -> None:
    # users.staff_id refers to duty_staff: on SQLite only a copy of users drops it (batch)
    with op.batch_alter_table("users") as batch:
        if op.get_bind().dialect.name != "sqlite":
            batch.drop_constraint("fk_users_staff_id", type_="foreignkey")
        batch.drop_column("staff_id")
    op.execute("ALTER TABLE guide_alerts DROP COLUMN urgent")
    op.drop_index("ix_callback_type_status", table_name="callbacks")
    op.drop_table("callbacks")
    op.drop_index("ix_handover_status_offered", table_name="handovers")
    op.add_column("handovers", sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE handovers SET taken_at = accepted_at")
    for column in ("text", "tried", "meet", "urgent", "accepted_at", "offered_at", "status"):
        op.execute(f"ALTER TABLE handovers DROP COLUMN {column}")
    op.execute("ALTER TABLE duty_staff DROP COLUMN available_at")
    op.execute("ALTER TABLE duty_staff DROP COLUMN shift")
    op.add_column("duty_staff", sa.Column("on_duty", sa.Boolean(), nullable=False, server_default=sa.false()))
