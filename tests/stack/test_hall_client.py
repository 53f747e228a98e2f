"""kiosk/hall_client.py, the one client of the hall API, against a local fake hall."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.hall_client import HallApiError, HallClient


class FakeHall:
    """Answers by path; records each request's connection (client port) and headers."""

    def __init__(self) -> None:
        self.seen: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake.seen.append({"path": self.path, "peer": self.client_address, "headers": dict(self.headers)})
                if self.path == "/slow":
                    time.sleep(2)
                status, body = {
                    "/ok": (200, {"fine": True}),
                    "/missing": (404, {"error": {"code": "ticket_not_found", "message": "no such ticket"}}),
                    "/list": (200, [1, 2]),
                }.get(self.path, (500, {"oops": 1}))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    hall = FakeHall()
    yield hall
    hall.close()


def test_calls_reuse_one_connection_and_carry_the_token(fake):
    client = HallClient(fake.url, "device-t0ken")
    assert client.call("GET", "/ok") == {"fine": True}
    assert client.call("GET", "/ok", idempotency_key="k1") == {"fine": True}
    assert fake.seen[0]["peer"] == fake.seen[1]["peer"]  # keep-alive: the same client port
    assert all(s["headers"]["Authorization"] == "Bearer device-t0ken" for s in fake.seen)
    assert fake.seen[1]["headers"]["Idempotency-Key"] == "k1"


def test_the_apis_error_becomes_hall_api_error(fake):
    client = HallClient(fake.url, "t")
    with pytest.raises(HallApiError) as missing:
        client.call("GET", "/missing")
    assert (missing.value.status, missing.value.code) == (404, "ticket_not_found")
    with pytest.raises(HallApiError) as broken:
        client.call("GET", "/other")
    assert (broken.value.status, broken.value.code) == (500, "http_error")
    with pytest.raises(HallApiError, match="not a JSON object"):
        client.call("GET", "/list")


def test_a_hung_hall_times_out_and_a_closed_port_is_unreachable(fake):
    started = time.monotonic()
    with pytest.raises(HallApiError) as slow:
        HallClient(fake.url, "t", timeout_s=0.3).call("GET", "/slow")
    assert slow.value.status == 0 and time.monotonic() - started < 1.5
    with pytest.raises(HallApiError) as closed:
        HallClient("http://127.0.0.1:9", "t").call("GET", "/ok")
    assert (closed.value.status, closed.value.code) == (0, "unreachable")
