"""The real assistant for the whole test run: one Rasa server and one action server.

Starting Rasa costs a minute on two cores, so the test session starts it once
(`assistant` fixture in tests/conftest.py). The tests each run their own hall
server, and the action server must call back whichever one is under test: it
is started with KIOSK_SERVER_URL pointing at `HallRelay`, a small forwarding
proxy in the test process whose target a test sets with `AssistantStack.serve`.
Both servers are started as `make run` starts them, through
assistant/scripts/serve.sh and actions-serve.sh with RASA_PORT and ACTIONS_PORT,
so the endpoints file and kiosk/stack.py are exercised too.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from tests.support.processes import rasa_env, stop, wait_http
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_TOKEN = "test-rasa-token"
REQUIRED = os.environ.get("ASSISTANT_TESTS_REQUIRED") == "1"
# hop-by-hop headers and those the relay recomputes
_SKIP_HEADERS = {"host", "connection", "keep-alive", "transfer-encoding", "content-length"}


def current_model() -> Path:
    override = os.environ.get("KIOSK_TEST_RASA_MODEL")
    if override:
        return Path(override)
    digest = subprocess.run(
        [str(ROOT / "assistant/scripts/model-hash.sh")], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    return ROOT / "assistant" / "models" / f"{digest}.tar.gz"


def missing_reason() -> str | None:
    """Why the assistant cannot run here, or None."""
    if not RASA_BIN.exists():
        return "no .venv-rasa: run `make rasa-env`"
    model = current_model()
    if not model.exists():
        return f"no trained model {model.name}: run `make rasa-train` (or set KIOSK_TEST_RASA_MODEL)"
    return None


class HallRelay:
    """Forwards every request to `target` (a hall server's base URL) and returns its answer."""

    def __init__(self) -> None:
        self.target: str | None = None
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                if relay.target is None:
                    self.send_error(503, "no hall server under test")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _SKIP_HEADERS}
                try:
                    answer = requests.request(
                        self.command, relay.target + self.path, data=body, headers=headers, timeout=30
                    )
                except requests.RequestException:
                    self.send_error(502, "hall server unreachable")
                    return
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in _SKIP_HEADERS and key.lower() != "content-encoding":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class AssistantStack:
    """The Rasa server and its action server, started as `make run` starts them, on free ports."""

    def __init__(
        self, logs: Path, device_token: str, *, model: Path | None = None, hall_url: str | None = None
    ) -> None:
        """hall_url: the actions call this hall directly (a benchmark's); else through a relay."""
        self.logs = logs
        self.relay = None if hall_url else HallRelay()
        self.rasa_port, self.actions_port = free_port(), free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.actions_url = f"http://127.0.0.1:{self.actions_port}"
        self.token = RASA_TOKEN
        self.env = rasa_env(
            RASA_PORT=str(self.rasa_port),
            ACTIONS_PORT=str(self.actions_port),
            RASA_TOKEN=RASA_TOKEN,
            KIOSK_SERVER_URL=hall_url or self.relay.url,
            KIOSK_DEVICE_TOKEN=device_token,
            RASA_MODEL=str(model or current_model()),
            RASA_TRACKER_URL=f"sqlite:///{logs / 'rasa-tracker.db'}",  # this run's conversations only
        )
        self.procs: list[subprocess.Popen] = []

    def _start(self, script: str, log: Path) -> subprocess.Popen:
        with log.open("w") as out:
            proc = subprocess.Popen(
                [str(ROOT / "assistant" / "scripts" / script)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        return proc

    def start(self, timeout: float = 300) -> AssistantStack:
        actions = self._start("actions-serve.sh", self.logs / "actions.log")
        rasa = self._start("serve.sh", self.logs / "rasa.log")
        wait_http(self.actions_url + "/health", actions, self.logs / "actions.log", timeout=timeout)
        wait_http(self.rasa_url + "/", rasa, self.logs / "rasa.log", timeout=timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # the model loads after the server answers
            r = requests.get(self.rasa_url + "/status", params={"token": RASA_TOKEN}, timeout=5)
            if r.ok and r.json().get("model_file"):
                return self
            time.sleep(0.5)
        raise RuntimeError(f"Rasa loaded no model; see {self.logs / 'rasa.log'}")

    def serve(self, hall_url: str) -> None:
        """From now on the actions call this hall server."""
        assert self.relay is not None, "this stack's actions call a fixed hall"
        self.relay.target = hall_url.rstrip("/")

    def stop(self) -> None:
        for proc in self.procs:
            stop(proc)
        if self.relay is not None:
            self.relay.close()
