"""kiosk/stack.py: every process of a stack derives the others' addresses by one rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import stack
from kiosk.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_hall_url_follows_the_hall_servers_own_host_and_port():
    assert stack.hall_url({}) == "http://127.0.0.1:8000"
    assert stack.hall_url({"KIOSK_PORT": "8123"}) == "http://127.0.0.1:8123"
    assert stack.hall_url({"KIOSK_HOST": "10.0.0.5", "KIOSK_PORT": "9000"}) == "http://10.0.0.5:9000"
    # a server listening on every interface is reached on the loopback
    assert stack.hall_url({"KIOSK_HOST": "0.0.0.0", "KIOSK_PORT": "8123"}) == "http://127.0.0.1:8123"
    assert stack.hall_url({"KIOSK_HOST": "::1", "KIOSK_PORT": "8123"}) == "http://[::1]:8123"


def test_an_explicit_server_url_wins():
    env = {"KIOSK_SERVER_URL": "https://hall.example/", "KIOSK_PORT": "8123"}
    assert stack.hall_url(env) == "https://hall.example"


@pytest.mark.parametrize("bad", ["0", "70000", "eighty", "-1"])
def test_a_bad_port_is_refused_with_its_name(bad):
    with pytest.raises(ValueError, match="RASA_PORT"):
        stack.rasa_url({"RASA_PORT": bad})


def test_the_hall_server_reaches_this_stacks_rasa():
    assert Settings(_env_file=None).rasa_url.endswith(":5005")
    env = {"RASA_PORT": "6111", "RASA_TOKEN": "t0ken-from-rasa"}
    assert stack.rasa_url(env) == "http://127.0.0.1:6111"
    assert stack.rasa_token(env) == "t0ken-from-rasa"
    assert stack.rasa_url({**env, "KIOSK_RASA_URL": "http://rasa.lan:5005"}) == "http://rasa.lan:5005"


def test_settings_derive_the_rasa_url_from_rasa_port(monkeypatch):
    monkeypatch.setenv("RASA_PORT", "6222")
    monkeypatch.delenv("KIOSK_RASA_URL", raising=False)
    assert Settings(_env_file=None).rasa_url == "http://127.0.0.1:6222"


def test_the_agent_finds_the_hall_without_kiosk_server_url():
    from kiosk.agent.config import load_settings

    settings = load_settings(environ={"KIOSK_PORT": "8124"})
    assert settings.server.url == "http://127.0.0.1:8124"
    assert settings.server.token == stack.DEV_DEVICE_TOKEN
    explicit = load_settings(environ={"KIOSK_PORT": "8124", "KIOSK_SERVER_URL": "http://other:1"})
    assert explicit.server.url == "http://other:1"


def test_the_assistant_scripts_read_the_same_rule():
    """assistant/scripts/*.sh eval `python -m kiosk.stack` (in Rasa's Python 3.10: stdlib only)."""
    out = subprocess.run(
        [sys.executable, "-m", "kiosk.stack"],
        cwd=ROOT,
        env={"KIOSK_ENV": "development", "KIOSK_PORT": "8125", "RASA_PORT": "6125", "ACTIONS_PORT": "6126",
             "RASA_TRACKER_URL": "sqlite:////tmp/t.db", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out == [
        "export KIOSK_SERVER_URL=http://127.0.0.1:8125",
        "export RASA_PORT=6125",
        "export ACTIONS_PORT=6126",
        "export RASA_TOKEN=dev-rasa-token",
        "export RASA_TRACKER_URL=sqlite:////tmp/t.db",
    ]


def test_in_production_the_hall_and_rasa_share_a_generated_rasa_token(tmp_path):
    """No built-in token in production: the first process generates one (0600) and the others read it."""
    env = {"KIOSK_ENV": "production", "KIOSK_SECRETS_DIR": str(tmp_path / "secrets"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "kiosk.stack"], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout
    exported = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines())
    token = exported["RASA_TOKEN"]
    assert token not in stack.BUILT_IN_SECRETS and len(token) >= 32
    assert (tmp_path / "secrets" / "rasa_token").stat().st_mode & 0o777 == 0o600
    hall = Settings(_env_file=None, env="production", secrets_dir=tmp_path / "secrets")
    assert hall.rasa_token == token
    assert hall.secret_key not in stack.BUILT_IN_SECRETS
    with pytest.raises(ValueError, match="KIOSK_RASA_TOKEN"):
        Settings(_env_file=None, env="production", secrets_dir=tmp_path, rasa_token="dev-rasa-token")
