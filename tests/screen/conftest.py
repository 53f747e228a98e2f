"""Fixtures of the kiosk screen tests: the real server, headless Chromium, and the real assistant.

`hall_server` here is the shared one with two differences: the printer writes
to a file in the test's folder, and the assistant points at a closed port, so
the session API is in its touch-menu fallback ("Rasa down") unless a test asks
for `assistant_hall`, which relays to the session's real Rasa and action servers.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import DEVICE_TOKEN
from tests.support.server import HallServerProcess

ROOT = Path(__file__).resolve().parents[2]
PORTRAIT = {"width": 1080, "height": 1920}  # the usual hall kiosk: a 21.5" portrait touch screen
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


# the assistant's greeting in domain.yml: what answer_as_assistant() opens a session with
ASSISTANT_GREETING = {"language": "zh", "mode": "assistant", "messages": [{
    "text": "您好，欢迎光临供电营业厅！请问您要办理什么业务？可以点下面的按钮，也可以直接说。",
    "buttons": [{"title": t, "payload": p} for t, p in (
        ("交电费", "/pay_bill"), ("查电费", "/bill_inquiry"), ("开发票", "/invoice"),
        ("新装用电", "/new_connection_residential"), ("过户更名", "/name_transfer"),
        ("故障报修", "/fault_report"), ("找工作人员", "/request_human"))]}]}


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

    def answer_as_assistant(self, replies: list[dict]) -> list[dict]:
        """The session API answers as the assistant would: its greeting with seven buttons, then
        `replies` in turn. The session and visit are real (the server's); returns what the page sent."""
        sent: list[dict] = []

        def start(route):
            body = route.fetch().json()
            route.fulfill(status=201, json={**ASSISTANT_GREETING, "id": body["id"], "visit_id": body["visit_id"]})

        def message(route):
            sent.append(json.loads(route.request.post_data))
            route.fulfill(status=200, json=replies.pop(0))

        self.page.route(re.compile(r".*/api/kiosk/sessions$"), start)
        self.page.route(re.compile(r".*/api/kiosk/sessions/[^/]+/messages$"), message)
        return sent

    def send(self, text: str) -> None:
        """The customer types into the dialog's text box and sends it."""
        self.page.fill("#text", text)
        self.page.click("#ask .send")

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


@pytest.fixture
def assistant_hall(db_url, tmp_path, assistant) -> Iterator[HallServerProcess]:
    """The real server relaying to the session's real Rasa, whose actions call this server back."""
    server = _server(
        db_url,
        tmp_path,
        KIOSK_RASA_URL=assistant.rasa_url,
        KIOSK_RASA_TOKEN=assistant.token,
        KIOSK_RASA_TIMEOUT_S="20",
    ).start()
    assistant.serve(server.url)
    yield server
    server.stop()
