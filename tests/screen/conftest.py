"""Fixtures of the kiosk screen tests: the real server, headless Chromium, and the real assistant.

`hall_server` here is the shared one with two differences: the printer writes
to a file in the test's folder, and the assistant points at a closed port, so
the session API is in its touch-menu fallback ("Rasa down") unless a test asks
for `assistant_hall`, which starts the real action server and Rasa server.
"""
from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import DEVICE_TOKEN
from tests.support.processes import rasa_env as _rasa_env
from tests.support.processes import stop as _stop
from tests.support.processes import wait_http as _wait
from tests.support.server import HallServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
PORTRAIT = {"width": 1080, "height": 1920}  # the usual hall kiosk: a 21.5" portrait touch screen
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_TOKEN = "screen-test-rasa-token"
ASSISTANT_REQUIRED = os.environ.get("ASSISTANT_TESTS_REQUIRED") == "1"
SHOTS = Path(os.environ.get("SCREEN_SHOTS", ROOT / "var" / "screenshots"))


def _server(db_url: str, tmp_path: Path, **env: str) -> HallServerProcess:
    workers = "2" if db_url.startswith("postgresql") else "1"
    server = HallServerProcess(db_url, KIOSK_DEVICE_TOKEN=DEVICE_TOKEN, KIOSK_WORKERS=workers,
                               KIOSK_SNAPSHOT_DIR=str(tmp_path / "snapshots"),
                               KIOSK_SECRET_KEY="test-secret-key",
                               KIOSK_PRINTER=f"file:{tmp_path / 'printer.out'}", **env)
    server.printer_out = tmp_path / "printer.out"
    return server


@pytest.fixture
def hall_server(db_url, tmp_path):
    """The real server with the assistant unreachable (port 9 refuses) and a file printer."""
    server = _server(db_url, tmp_path, KIOSK_RASA_URL="http://127.0.0.1:9").start()
    yield server
    server.stop()


class KioskPage:
    """The kiosk screen in a Chromium tab, with the few moves the tests make."""

    def __init__(self, page, server: HallServerProcess, device: str):
        self.page, self.server, self.device = page, server, device
        self.dialogs: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, **query) -> "KioskPage":
        params = "&".join(f"{k}={v}" for k, v in {"device": self.device, **query}.items())
        self.page.goto(f"{self.server.url}/kiosk?{params}#token={self.server.device_token}")
        self.page.wait_for_selector('body[data-state="idle"]')
        self.page.wait_for_selector('#live[data-live="1"]')
        return self

    def approach(self, track: str = "1") -> dict:
        from datetime import datetime, timezone

        r = requests.post(f"{self.server.url}/api/visits/events", headers=self.server.device_headers,
                          json={"kind": "approach", "device_id": self.device, "track_id": track,
                                "at": datetime.now(timezone.utc).isoformat(), "distance_m": 2.8},
                          timeout=10)
        assert r.status_code == 201, r.text
        return r.json()

    def state(self) -> str:
        return self.page.eval_on_selector("body", "b => b.dataset.state")

    def wait_state(self, state: str, timeout: float = 15_000) -> None:
        self.page.wait_for_selector(f'body[data-state="{state}"]', timeout=timeout)

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def kiosk(browser, hall_server) -> Iterator[KioskPage]:
    context = browser.new_context(viewport=PORTRAIT, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    yield KioskPage(page, hall_server, "kiosk-1")
    context.close()


# ------------------------------------------------------------------ the real assistant

def _missing(reason: str) -> None:
    if ASSISTANT_REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


def _model() -> Path:
    override = os.environ.get("KIOSK_TEST_RASA_MODEL")
    if override:
        return Path(override)
    digest = subprocess.run([str(ROOT / "assistant/scripts/model-hash.sh")], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.strip()
    return ROOT / "assistant" / "models" / f"{digest}.tar.gz"


@pytest.fixture(scope="session")
def rasa_ports() -> dict[str, int]:
    return {"rasa": free_port(), "actions": free_port()}


@pytest.fixture(scope="session")
def rasa_server(rasa_ports, tmp_path_factory) -> Iterator[str]:
    """The Rasa server on the current model, once per session; its actions on a fixed port."""
    if not RASA_BIN.exists():
        _missing("no .venv-rasa: run `make rasa-env`")
    model = _model()
    if not model.exists():
        _missing(f"no trained model {model.name}: run `make rasa-train` "
                 "(or set KIOSK_TEST_RASA_MODEL to a model file)")
    tmp = tmp_path_factory.mktemp("rasa")
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{rasa_ports["actions"]}/webhook"\n')
    log = tmp / "rasa.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(RASA_BIN), "run", "--model", str(model), "--enable-api", "--auth-token", RASA_TOKEN,
             "--interface", "127.0.0.1", "--port", str(rasa_ports["rasa"]),
             "--credentials", str(ROOT / "assistant" / "credentials.yml"), "--endpoints", str(endpoints)],
            cwd=ROOT, env=_rasa_env(), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{rasa_ports['rasa']}"
    try:
        _wait(url + "/", proc, log, timeout=300)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            r = requests.get(url + "/status", params={"token": RASA_TOKEN}, timeout=5)
            if r.ok and r.json().get("model_file"):
                break
            time.sleep(0.5)
        yield url
    finally:
        _stop(proc)


@pytest.fixture
def assistant_hall(db_url, tmp_path, rasa_server, rasa_ports) -> Iterator[HallServerProcess]:
    """The real server relaying to the real Rasa, whose action server calls this server back."""
    server = _server(db_url, tmp_path, KIOSK_RASA_URL=rasa_server, KIOSK_RASA_TOKEN=RASA_TOKEN,
                     KIOSK_RASA_TIMEOUT_S="20")
    log = tmp_path / "actions.log"
    with log.open("w") as out:
        actions = subprocess.Popen(
            [str(RASA_BIN), "run", "actions", "--actions", "assistant.actions",
             "--port", str(rasa_ports["actions"])], cwd=ROOT,
            env=_rasa_env(KIOSK_SERVER_URL=server.url, KIOSK_DEVICE_TOKEN=DEVICE_TOKEN),
            stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(f"http://127.0.0.1:{rasa_ports['actions']}/health", actions, log, timeout=120)
        server.start()
        yield server
    finally:
        _stop(actions)
        server.stop()
