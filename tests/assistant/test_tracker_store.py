"""Rasa keeps its conversations in a database (assistant/endpoints.yml's SQL tracker store): a Rasa
restarted mid-dialog resumes each open dialog where it was."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests

from tests.support.assistant import REQUIRED, current_model, missing_reason
from tests.support.processes import rasa_env, stop, wait_http
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tracker-test-rasa-token"
SENDER = "kiosk-session-restart"


def start_rasa(port: int, tracker_url: str, log: Path) -> subprocess.Popen:
    """The Rasa server as `make run` starts it (assistant/scripts/serve.sh), until its model is loaded."""
    env = rasa_env(RASA_PORT=str(port), ACTIONS_PORT=str(free_port()), RASA_TOKEN=TOKEN,
                   RASA_TRACKER_URL=tracker_url, RASA_MODEL=str(current_model()), KIOSK_ENV="development")
    with log.open("a") as out:
        proc = subprocess.Popen([str(ROOT / "assistant/scripts/serve.sh")], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/", proc, log, timeout=300)
    wait_http(url + f"/status?token={TOKEN}", proc, log, timeout=120)
    return proc


def say(url: str, text: str) -> list[dict]:
    r = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": SENDER, "message": text}, timeout=60)
    r.raise_for_status()
    return r.json()


def tracker(url: str) -> dict:
    return requests.get(f"{url}/conversations/{SENDER}/tracker", params={"token": TOKEN}, timeout=30).json()


def test_a_restarted_rasa_resumes_the_open_dialog(tmp_path):
    reason = missing_reason()
    if reason:
        pytest.fail(reason) if REQUIRED else pytest.skip(reason)
    port, db = free_port(), tmp_path / "tracker.db"
    url, log = f"http://127.0.0.1:{port}", tmp_path / "rasa.log"
    proc = start_rasa(port, f"sqlite:///{db}", log)
    try:
        assert say(url, "/greet")  # the greeting with the business buttons
        say(url, "你好呀")
        before = tracker(url)
    finally:
        stop(proc)
    assert db.exists()
    proc = start_rasa(port, f"sqlite:///{db}", log)
    try:
        after = tracker(url)
        assert after["events"] == before["events"]  # every turn of the dialog is still there
        assert after["latest_message"]["text"] == "你好呀"
        say(url, "谢谢")
        resumed = tracker(url)
        texts = [e.get("text") for e in resumed["events"] if e["event"] == "user"]
        assert texts == ["/greet", "你好呀", "谢谢"]  # the dialog went on; it did not start anew
    finally:
        stop(proc)
