"""Pooled connections: one the server dropped while it sat idle is replaced, not handed out."""
import psycopg
import pytest
from sqlalchemy import text

from kiosk import db


def test_a_connection_dropped_while_idle_is_replaced(db_url, monkeypatch):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    monkeypatch.setattr(db, "IDLE_PING_S", 0.0)
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as c:
            pid = c.execute(text("SELECT pg_backend_pid()")).scalar_one()
        # the server ends that backend (a restart, an idle timeout) while it waits in the pool
        url = engine.url
        with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname="postgres",
                             autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with engine.connect() as c:
            assert c.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()
