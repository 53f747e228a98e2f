"""Fixtures of the staff tests: the real server with no assistant reachable, and headless Chromium."""
from __future__ import annotations

import pytest

from tests.conftest import DEVICE_TOKEN
from tests.staff.helpers import at_url
from tests.support.server import HallServerProcess

@pytest.fixture
def server(db_url, tmp_path):
    """`python -m kiosk serve` on this test's database; the assistant is down, so kiosks use the menu."""
    proc = HallServerProcess(db_url, KIOSK_DEVICE_TOKEN=DEVICE_TOKEN,
                             KIOSK_SNAPSHOT_DIR=str(tmp_path / "snapshots"),
                             KIOSK_OUTBOX_FILE=str(tmp_path / "outbox.jsonl"),
                             KIOSK_SECRET_KEY="test-secret-key", KIOSK_RASA_URL="http://127.0.0.1:9",
                             KIOSK_RASA_TIMEOUT_S="0.3").start()
    proc.db = at_url(db_url)
    yield proc
    proc.stop()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(**kw):
        # the pages' CSP forbids eval, which Playwright's wait_for_function needs; bypassing it
        # also shows that customer text is inert by how it is rendered, not only by the CSP
        kw.setdefault("bypass_csp", True)
        ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN", **kw)
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def login(page, server, username: str, password: str = "password-123", next_path: str = ""):
    page.goto(f"{server.url}/staff/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def count_beeps(page) -> None:
    """Count the page's beeps in window.__beeps (each WebAudio oscillator it makes)."""
    page.evaluate("""() => {
        window.__beeps = 0;
        const proto = BaseAudioContext.prototype, make = proto.createOscillator;
        proto.createOscillator = function () { window.__beeps++; return make.call(this); };
    }""")
