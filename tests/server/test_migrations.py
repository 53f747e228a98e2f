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
