"""Shared fixtures: the hall app on SQLite and on PostgreSQL, staff accounts, a real server.

Every test that asks for `db_url` (directly or through `app`) runs once per
engine in KIOSK_TEST_ENGINES (default: sqlite,postgresql); PostgreSQL is a
throw-away cluster started for the session.
"""
from __future__ import annotations

import itertools
import os

import pytest

from tests.support import browser as chromium
from tests.support.assistant import REQUIRED as ASSISTANT_REQUIRED
from tests.support.assistant import AssistantStack, missing_reason
from tests.support.pg import TempPostgres
from tests.support.server import HallServerProcess

# The tests run the hall in development mode (shared device token, development secrets),
# as `make run` does; the tests of production mode set KIOSK_ENV=production themselves.
os.environ.setdefault("KIOSK_ENV", "development")
ENGINES = [e for e in os.environ.get("KIOSK_TEST_ENGINES", "sqlite,postgresql").split(",") if e]
DEVICE_TOKEN = "test-device-token"
_db_names = itertools.count()

# A module whose behaviour does not depend on the engine (a page's look and moves, speech) runs on SQLite
# only, `pytestmark = ONE_ENGINE`, when the API paths it drives are tested on both engines in tests/server
# and the end-to-end acceptance checks run its pages on PostgreSQL's two workers too.
ONE_ENGINE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture(scope="session")
def postgres():
    pg = TempPostgres().start()
    template = pg.create_database("kiosk_template")
    from kiosk.db import make_engine
    from kiosk.migrate import upgrade

    engine = make_engine(template)
    upgrade(engine)
    engine.dispose()
    yield pg
    pg.stop()


@pytest.fixture(params=ENGINES)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hall.db'}"
    pg: TempPostgres = request.getfixturevalue("postgres")
    name = f"kiosk_t{next(_db_names)}"
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={pg.port} user={pg.user} dbname=postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE kiosk_template')
    return pg.url(name)


@pytest.fixture
def app(db_url, tmp_path):
    from kiosk.web import create_app

    app = create_app({"database_url": db_url, "device_token": DEVICE_TOKEN,
                      "secret_key": "test-secret-key", "snapshot_dir": tmp_path / "snapshots",
                      "outbox_file": tmp_path / "outbox.jsonl", "rasa_url": "http://127.0.0.1:9"})
    app.config["TESTING"] = True
    yield app
    from kiosk.web import maintenance
    from kiosk.web.database import dispose

    maintenance.stop(app)
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def device():
    return {"Authorization": f"Bearer {DEVICE_TOKEN}"}


@pytest.fixture
def staff(app):
    """staff("counter") -> Authorization headers of a new account with that role."""
    from kiosk.hall import accounts

    made = itertools.count()

    def make(role: str) -> dict[str, str]:
        with app.extensions["sessions"]() as s, s.begin():
            _user, token = accounts.create_user(s, f"{role}{next(made)}", role, "password-123")
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def desk(app):
    """desk("王经理") -> Authorization headers of a back-office account at that roster person's desk."""
    from kiosk.hall import accounts, duty

    made = itertools.count()

    def make(name: str) -> dict[str, str]:
        with app.extensions["sessions"]() as s, s.begin():
            person = duty.by_name(s, name)
            _user, token = accounts.create_user(s, f"desk{person.id}-{next(made)}", "backoffice",
                                                "password-123", staff=person)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def hall_server(db_url, tmp_path):
    """The real server (`python -m kiosk serve`) on a free port, on this test's database."""
    # two worker processes: their writers must queue across processes too
    server = HallServerProcess(db_url, KIOSK_DEVICE_TOKEN=DEVICE_TOKEN, KIOSK_WORKERS="2",
                               KIOSK_SNAPSHOT_DIR=str(tmp_path / "snapshots"),
                               KIOSK_OUTBOX_FILE=str(tmp_path / "outbox.jsonl"),
                               KIOSK_SECRET_KEY="test-secret-key").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (Playwright's sync API allows one per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = chromium.launch(p)
        yield b
        b.close()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    """The real Rasa and action servers, started once for the whole run (tests/support/assistant.py).

    Without .venv-rasa or a trained model the tests that need it are skipped,
    or fail under ASSISTANT_TESTS_REQUIRED=1 (as `make test` runs them)."""
    reason = missing_reason()
    if reason:
        if ASSISTANT_REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    stack = AssistantStack(tmp_path_factory.mktemp("assistant"), DEVICE_TOKEN).start()
    yield stack
    stack.stop()
