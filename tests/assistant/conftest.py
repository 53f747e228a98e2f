"""Fixtures of the assistant tests: a real hall server, and the session's real Rasa and action servers.

These tests run from the app environment (.venv, Python 3.11, no Rasa): the
Rasa and action servers are the test session's (`assistant` in
tests/conftest.py), started once from .venv-rasa and reached over HTTP; here
their actions call this module's hall server. Without .venv-rasa or a model
they are skipped, unless ASSISTANT_TESTS_REQUIRED=1 (set by `make test`),
which makes a missing environment a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from tests.conftest import DEVICE_TOKEN
from tests.support.processes import stop, wait_http
from tests.support import server
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def hall_db(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hall") / "hall.db"


@pytest.fixture(scope="session")
def hall_server(hall_db) -> Iterator[str]:
    """The real hall server on a fresh SQLite database."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        KIOSK_PORT=str(port),
        KIOSK_DEVICE_TOKEN=DEVICE_TOKEN,
        KIOSK_DATABASE_URL=f"sqlite:///{hall_db}",
        KIOSK_SNAPSHOT_DIR=str(hall_db.parent / "snapshots"),
        KIOSK_PRINTER="file",
        KIOSK_OUTBOX_FILE=str(hall_db.parent / "outbox.jsonl"),
        KIOSK_WORKERS="1",
        # no Rasa behind this hall server: kiosk sessions open in menu mode
        KIOSK_RASA_URL=f"http://127.0.0.1:{free_port()}",
        KIOSK_RASA_TIMEOUT_S="0.5",
    )
    log = hall_db.parent / "hall.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", proc, log, timeout=60)
        yield url
    finally:
        stop(proc)


def create_user(hall_db: Path, *args: str) -> str:
    """`python -m kiosk create-user ARGS` on the hall's database; the API token it prints."""
    return server.create_user({"KIOSK_DATABASE_URL": f"sqlite:///{hall_db}", "KIOSK_DEVICE_TOKEN": DEVICE_TOKEN}, *args)


@pytest.fixture(scope="session")
def supervisor_token(hall_server, hall_db) -> str:
    """An API token of a supervisor account."""
    return create_user(hall_db, "assistant-test-sup", "--role", "supervisor")


@pytest.fixture(scope="session")
def desk_token(hall_server, hall_db):
    """desk_token("王经理"): the Authorization header of a back-office account at that person's desk."""
    made: dict[str, dict[str, str]] = {}

    def at(name: str) -> dict[str, str]:
        if name not in made:
            token = create_user(hall_db, f"desk-{len(made)}", "--role", "backoffice", "--staff", name)
            made[name] = {"Authorization": f"Bearer {token}"}
        return made[name]

    return at


@pytest.fixture
def kiosk_session(hall_server) -> str:
    """A kiosk dialog session opened through the hall API; its id is the Rasa sender id."""
    r = requests.post(
        hall_server + "/api/kiosk/sessions",
        json={"device_id": "kiosk-test"},
        headers={"Authorization": f"Bearer {DEVICE_TOKEN}"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture
def action_server(assistant, hall_server) -> str:
    """The session's action server, its actions calling this module's hall server."""
    assistant.serve(hall_server)
    return assistant.actions_url


@pytest.fixture
def rasa_server(assistant, action_server) -> str:
    """The session's Rasa server (REST channel), whose actions call this module's hall server."""
    return assistant.rasa_url
