"""Events go out in order through a queue: a hall server that is down delays them, loses none."""
from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kiosk.agent.config import ServerSettings
from kiosk.agent.events import EventSender


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeHall:
    """A tiny hall server: records what it gets, answers like docs/api.md."""

    def __init__(self, port: int, *, fail_first: int = 0, rain: bool = False):
        self.received: list[dict] = []
        self.keys: list[str] = []
        self.snapshots: list[tuple[str, int]] = []
        self.fail_first = fail_first
        self.rain = rain
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/api/hall/flags":
                    return self._json(200, {"rain": outer.rain, "wet_floor": False})
                self._json(404, {"error": {"code": "not_found", "message": ""}})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Authorization") != "Bearer t0ken":
                    return self._json(401, {"error": {"code": "unauthorized", "message": ""}})
                if outer.fail_first > 0:
                    outer.fail_first -= 1
                    return self._json(503, {"error": {"code": "busy", "message": ""}})
                if self.path == "/api/visits/events":
                    event = json.loads(body)
                    if event.get("kind") not in ("approach", "greeted", "left"):
                        return self._json(422, {"error": {"code": "invalid", "message": ""}})
                    outer.received.append(event)
                    outer.keys.append(self.headers.get("Idempotency-Key"))
                    return self._json(201, {"visit_id": 100 + int(event["track_id"].split("-")[-1]),
                                            "event_id": len(outer.received)})
                if self.path.startswith("/api/visits/") and self.path.endswith("/snapshot"):
                    outer.snapshots.append((self.path, len(body)))
                    return self._json(201, {"id": 1})
                self._json(404, {"error": {"code": "not_found", "message": ""}})

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _client(port: int) -> EventSender:
    return EventSender(ServerSettings(url=f"http://127.0.0.1:{port}", token="t0ken", device_id="kiosk-9",
                                     timeout_s=1.0, retry_max_s=0.3))


def test_events_wait_for_a_server_that_is_down_and_arrive_in_order():
    port = _free_port()
    client = _client(port).start(poll_flags_s=None)
    t0 = time.monotonic()
    client.event("approach", "r-1", t0, distance_m=2.9)
    client.snapshot("r-1", b"\xff\xd8jpeg")
    client.event("greeted", "r-1", t0 + 1, latency_ms=150, text="您好，欢迎光临。")
    client.event("approach", "r-2", t0 + 2)
    client.event("left", "r-1", t0 + 3)
    time.sleep(0.8)  # server down: attempts fail, nothing is lost
    assert client.pending == 5 and client.failed_attempts >= 1
    with FakeHall(port, fail_first=2) as hall:
        assert client.close(timeout=10)
    assert [(e["kind"], e["track_id"]) for e in hall.received] == [
        ("approach", "r-1"), ("greeted", "r-1"), ("approach", "r-2"), ("left", "r-1")]
    assert all(e["device_id"] == "kiosk-9" for e in hall.received)
    assert hall.received[0]["at"].endswith("+08:00")
    assert hall.received[1]["latency_ms"] == 150
    assert hall.snapshots == [("/api/visits/101/snapshot", 6)]
    assert len(set(hall.keys)) == 4  # one idempotency key per event


def test_a_rejected_event_is_dropped_and_the_rest_go_on():
    port = _free_port()
    with FakeHall(port) as hall:
        client = _client(port).start(poll_flags_s=None)
        t = time.monotonic()
        client.event("approach", "r-1", t)
        client.event("bogus", "r-1", t)
        client.event("left", "r-1", t)
        assert client.close(timeout=10)
    assert [e["kind"] for e in hall.received] == ["approach", "left"]
    assert client.rejected == 1


def test_flags_are_polled_and_cached():
    port = _free_port()
    with FakeHall(port, rain=True):
        client = _client(port).start(poll_flags_s=0.1)
        deadline = time.monotonic() + 5
        while not client.flags_ok and time.monotonic() < deadline:
            time.sleep(0.05)
        client.close(timeout=1)
    assert client.flags == {"rain": True, "wet_floor": False}


def test_without_a_server_events_are_only_logged():
    client = EventSender(ServerSettings(url=None)).start()
    client.event("approach", "r-1", time.monotonic())
    assert client.pending == 0 and len(client.log) == 1
    assert client.close(timeout=1)


def test_a_long_outage_keeps_the_queue_bounded_dropping_snapshots_first():
    port = _free_port()
    client = EventSender(ServerSettings(url=f"http://127.0.0.1:{port}", token="t0ken", device_id="kiosk-9",
                                        timeout_s=1.0, retry_max_s=0.3, queue_max=10, snapshot_queue_max=2))
    client.start(poll_flags_s=None)
    t0 = time.monotonic()
    client.event("approach", "r-0", t0)
    for i in range(3):
        client.snapshot("r-0", b"\xff\xd8jpeg")
    assert client.pending == 3 and client.dropped == 1  # two snapshots at most
    for i in range(1, 12):
        client.event("approach", f"r-{i}", t0 + i)
    assert client.pending == 10 and client.dropped == 1 + 2 + 2  # then the oldest events go
    with FakeHall(port) as hall:
        assert client.close(timeout=10)
    # the head (being sent when the bound was reached) and the newest events arrive, in order
    assert [e["track_id"] for e in hall.received] == ["r-0", *[f"r-{i}" for i in range(3, 12)]]
    assert hall.snapshots == []
