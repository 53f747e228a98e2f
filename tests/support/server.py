"""Running the real hall server (`python -m kiosk serve`) in a subprocess for end-to-end tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def create_user(env: dict[str, str], *args: str) -> str:
    """`python -m kiosk create-user ARGS` as an operator runs it, in `env` (its database): the API token it prints."""
    return kiosk_command(env, "create-user", *args)


def kiosk_command(env: dict[str, str], *args: str) -> str:
    """`python -m kiosk ARGS` (create-user, add-device) in `env`: the token it prints once."""
    env = {**os.environ, "KIOSK_USER_PASSWORD": "test-password-123", **env}
    out = subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    for line in out.stdout.splitlines():
        if "token" in line.lower() and ":" in line:
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no token in: {out.stdout}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HallServerProcess:
    def __init__(self, database_url: str, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.device_token = env.pop("KIOSK_DEVICE_TOKEN", "test-device-token")
        # development mode (the shared device token) unless a test asks for production
        # customers' text messages go to a file of this run, not the checkout's var/ (unless a test names one)
        outbox = Path(os.environ.get("TMPDIR", "/tmp")) / f"hall-outbox-{self.port}.jsonl"
        self.env = {**os.environ, "KIOSK_ENV": "development", "KIOSK_DATABASE_URL": database_url,
                    "KIOSK_PORT": str(self.port), "KIOSK_DEVICE_TOKEN": self.device_token,
                    "KIOSK_OUTBOX_FILE": str(outbox), **env}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "HallServerProcess":
        self.log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"hall-server-{self.port}.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "kiosk", "serve"], cwd=ROOT,
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hall server exited; see {self.log.name}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=0.5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("hall server did not start")
        self._await_workers(int(self.env.get("KIOSK_WORKERS", "1")), deadline)
        return self

    def _await_workers(self, expected: int, deadline: float) -> None:
        """Wait until every worker process is up: the first one answers /healthz before the
        others have forked, and connections made meanwhile would all stay with it."""
        if not Path("/proc/self").exists():  # no procfs to count them by: nothing to wait on
            return
        while self._workers() < expected:
            if time.monotonic() > deadline:
                raise RuntimeError(f"hall server started fewer than {expected} workers")
            time.sleep(0.05)
        if expected > 1:
            time.sleep(0.5)  # the last one forked may still be entering its accept loop

    def _workers(self) -> int:
        return len(self.worker_pids())

    def worker_pids(self) -> set[int]:
        """The server's worker processes (children of the gunicorn master), from procfs."""
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:  # the parent pid is the second field after the command name in brackets
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.add(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        return found

    def output(self) -> str:
        """What the server has logged so far."""
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()

    def create_user(self, *args: str) -> str:
        """A staff account made by the command line on this server's database: its API token."""
        return create_user(self.env, *args)

    def add_device(self, *args: str) -> str:
        """A device registered by the command line on this server's database: its token."""
        return kiosk_command(self.env, "add-device", *args)

    @property
    def device_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.device_token}"}
