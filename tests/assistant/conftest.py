"""Fixtures of the assistant tests: a real hall server, the real action server and Rasa server.

These tests run from the app environment (.venv, Python 3.11, no Rasa): the
action server and the Rasa server are started from .venv-rasa as
subprocesses and reached over HTTP. Without .venv-rasa they are skipped,
unless ASSISTANT_TESTS_REQUIRED=1 (set by `make assistant-test`), which
makes a missing environment a failure.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
RASA_VENV = ROOT / ".venv-rasa"
RASA_BIN = RASA_VENV / "bin" / "rasa"
DEVICE_TOKEN = "assistant-test-device-token"
RASA_TOKEN = "assistant-test-rasa-token"
from tests.support.processes import rasa_env, stop, wait_http  # noqa: E402

REQUIRED = os.environ.get("ASSISTANT_TESTS_REQUIRED") == "1"


def _missing(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def hall_server(tmp_path_factory) -> Iterator[str]:
    """The real hall server on a fresh SQLite database."""
    if not (ROOT / "kiosk" / "__main__.py").exists():
        _missing("the hall server (kiosk/) is not there")
    tmp = tmp_path_factory.mktemp("hall")
    port = free_port()
    env = dict(os.environ)
    env.update(
        KIOSK_PORT=str(port),
        KIOSK_DEVICE_TOKEN=DEVICE_TOKEN,
        KIOSK_DATABASE_URL=f"sqlite:///{tmp / 'hall.db'}",
        KIOSK_SNAPSHOT_DIR=str(tmp / "snapshots"),
        KIOSK_PRINTER="file",
        KIOSK_WORKERS="1",
        # no Rasa behind this hall server: kiosk sessions open in menu mode
        KIOSK_RASA_URL=f"http://127.0.0.1:{free_port()}",
        KIOSK_RASA_TIMEOUT_S="0.5",
    )
    log = tmp / "hall.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "serve"], cwd=ROOT, env=env,
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", proc, log, timeout=60)
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def supervisor_token(hall_server, tmp_path_factory) -> str:
    """An API token of a supervisor account (to put back-office staff on duty)."""
    env = dict(os.environ)
    env.update(
        KIOSK_DATABASE_URL=_hall_db_url(tmp_path_factory),
        KIOSK_USER_PASSWORD="assistant-test-password",
        KIOSK_DEVICE_TOKEN=DEVICE_TOKEN,
    )
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "create-user", "assistant-test-sup", "--role", "supervisor"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    for line in out.stdout.splitlines():
        if "token" in line.lower() and ":" in line:
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no token in: {out.stdout}")


@pytest.fixture
def kiosk_session(hall_server) -> str:
    """A kiosk dialog session opened through the hall API; its id is the Rasa sender id."""
    r = requests.post(hall_server + "/api/kiosk/sessions", json={"device_id": "kiosk-test"},
                      headers={"Authorization": f"Bearer {DEVICE_TOKEN}"}, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _hall_db_url(tmp_path_factory) -> str:
    base = tmp_path_factory.getbasetemp()
    candidates = sorted(base.glob("hall*/hall.db"))
    assert candidates, "hall database not found"
    return f"sqlite:///{candidates[0]}"


@pytest.fixture(scope="session")
def action_server(hall_server, tmp_path_factory) -> Iterator[str]:
    """The real rasa_sdk action server, talking to the test hall server."""
    if not RASA_BIN.exists():
        _missing("no .venv-rasa: run `make rasa-env`")
    tmp = tmp_path_factory.mktemp("actions")
    port = free_port()
    log = tmp / "actions.log"
    env = rasa_env(KIOSK_SERVER_URL=hall_server, KIOSK_DEVICE_TOKEN=DEVICE_TOKEN)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(RASA_BIN), "run", "actions", "--actions", "assistant.actions", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/health", proc, log, timeout=120)
        yield url
    finally:
        stop(proc)


def current_model() -> Path:
    digest = subprocess.run(
        ["assistant/scripts/model-hash.sh"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    return ROOT / "assistant" / "models" / f"{digest}.tar.gz"


@pytest.fixture(scope="session")
def rasa_server(action_server, tmp_path_factory) -> Iterator[str]:
    """The real Rasa server (REST channel, API behind a token) on the current model."""
    model = current_model()
    if not model.exists():
        _missing(f"no trained model {model.name}: run `make rasa-train`")
    tmp = tmp_path_factory.mktemp("rasa")
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "{action_server}/webhook"\n')
    port = free_port()
    log = tmp / "rasa.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(RASA_BIN), "run", "--model", str(model), "--enable-api", "--auth-token", RASA_TOKEN,
             "--interface", "127.0.0.1", "--port", str(port),
             "--credentials", str(ROOT / "assistant" / "credentials.yml"),
             "--endpoints", str(endpoints)],
            cwd=ROOT, env=rasa_env(), stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/", proc, log, timeout=240)
        # the model is loaded lazily on some versions: wait for /status to answer
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            r = requests.get(url + "/status", params={"token": RASA_TOKEN}, timeout=5)
            if r.ok and r.json().get("model_file"):
                break
            time.sleep(0.5)
        yield url
    finally:
        stop(proc)
