"""The migrations build exactly the schema the models describe, on both engines."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kiosk.db import make_engine
from kiosk.migrate import upgrade
from kiosk.models import Base


def test_migrated_schema_matches_models(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_a_url_with_percent_escapes_migrates(tmp_path):
    # e.g. PostgreSQL on its Unix socket: ?host=%2Fvar%2Frun%2Fpostgresql
    engine = make_engine(f"sqlite:///{tmp_path}/hall%20one.db")
    upgrade(engine)
    engine.dispose()
    assert (tmp_path / "hall%20one.db").exists()


def test_the_routing_migration_keeps_a_halls_rows(db_url):
    """0006 on a hall with duty staff, hand-overs, users and alerts (rows other tables refer to)."""
    from alembic import command
    from sqlalchemy import text

    from kiosk.migrate import config

    engine = make_engine(db_url)
    cfg = config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if MigrationContext.configure(conn).get_current_revision():
            command.downgrade(cfg, "0004")  # the PostgreSQL test databases start migrated
        else:
            command.upgrade(cfg, "0004")
        conn.execute(text("INSERT INTO duty_staff (id, name, desk, phone, business_types, on_duty, available) "
                          "VALUES (1, '王经理', '大客户经理室', '', '[]', true, true)"))
        conn.execute(text("INSERT INTO users (id, username, role, password_hash, active, created_at) "
                          "VALUES (1, 'g', 'guide', 'x', true, '2026-01-05 09:00:00+00')"))
        conn.execute(text("INSERT INTO handovers (business_type, staff_id, created_at, taken_at) VALUES "
                          "('solar_pv', 1, '2026-01-05 09:00:00+00', NULL), "
                          "('solar_pv', 1, '2026-01-05 10:00:00+00', '2026-01-05 10:05:00+00')"))
        conn.execute(text("INSERT INTO guide_alerts (reason, text, created_at, resolved_by) "
                          "VALUES ('other', '', '2026-01-05 09:00:00+00', 1)"))
        command.upgrade(cfg, "head")
        rows = conn.execute(text("SELECT status, offered_at = created_at, accepted_at IS NOT NULL, urgent "
                                 "FROM handovers ORDER BY id")).all()
        staff = conn.execute(text("SELECT available, shift FROM duty_staff")).all()
        alerts = conn.execute(text("SELECT urgent, resolved_by FROM guide_alerts")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("accepted", True, True, False)] * 2
    assert [tuple(r) for r in staff] == [(False, None)]
    assert [tuple(r) for r in alerts] == [(False, 1)]
