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


def upgrade() -> None:
    with op.batch_alter_table("duty_staff") as batch:
        # reachability is presence on the desk page plus the roster, no longer a guide's toggle
        batch.drop_column("on_duty")
        batch.add_column(sa.Column("shift", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("available_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text("UPDATE duty_staff SET available = :no").bindparams(no=False))

    with op.batch_alter_table("handovers") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="accepted"))
        batch.add_column(sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("meet", sa.String(8), nullable=True))
        batch.add_column(sa.Column("tried", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
    # the hand-overs before desks existed were handled by guides: closed as accepted
    op.execute("UPDATE handovers SET offered_at = created_at, accepted_at = COALESCE(taken_at, created_at), "
               "tried = '[]'")
    with op.batch_alter_table("handovers") as batch:
        batch.drop_column("taken_at")
        batch.alter_column("offered_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column("tried", existing_type=sa.JSON(), nullable=False)
        batch.create_index("ix_handover_status_offered", ["status", "offered_at"])

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

    with op.batch_alter_table("guide_alerts") as batch:
        batch.add_column(sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_users_staff_id", "duty_staff", ["staff_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_staff_id", type_="foreignkey")
        batch.drop_column("staff_id")
    with op.batch_alter_table("guide_alerts") as batch:
        batch.drop_column("urgent")
    op.drop_index("ix_callback_type_status", table_name="callbacks")
    op.drop_table("callbacks")
    with op.batch_alter_table("handovers") as batch:
        batch.drop_index("ix_handover_status_offered")
        batch.add_column(sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE handovers SET taken_at = accepted_at")
    with op.batch_alter_table("handovers") as batch:
        for column in ("text", "tried", "meet", "urgent", "accepted_at", "offered_at", "status"):
            batch.drop_column(column)
    with op.batch_alter_table("duty_staff") as batch:
        batch.drop_column("available_at")
        batch.drop_column("shift")
        batch.add_column(sa.Column("on_duty", sa.Boolean(), nullable=False, server_default=sa.false()))
