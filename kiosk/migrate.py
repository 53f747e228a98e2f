"""Alembic migrations, applied at start so a hall's database always matches the code."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

SCRIPTS = Path(__file__).resolve().parent / "migrations"


def config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    if engine is not None:
        # the option goes through configparser's interpolation: a % (an escaped password or
        # socket path in the URL) must be doubled
        url = engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    cfg = config(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # several workers may start at once: one migrates, the others wait
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727001)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
