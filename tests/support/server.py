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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HallServerProcess:
    def __init__(self, database_url: str, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.device_token = env.pop("KIOSK_DEVICE_TOKEN", "test-device-token")
        self.env = {**os.environ, "KIOSK_DATABASE_URL": database_url, "KIOSK_PORT": str(self.port),
                    "KIOSK_DEVICE_TOKEN": self.device_token, **env}
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
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("hall server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()

    @property
    def device_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.device_token}"}
