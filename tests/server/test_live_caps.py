"""Live pages cannot starve the server: anonymous streams are capped (429 past the caps), and a
stream whose client has gone gives its place back."""
from __future__ import annotations

import socket
import time

import pytest
import requests

from tests.support.server import HallServerProcess


def open_stream(url: str, forwarded_for: str | None = None) -> tuple[int, socket.socket]:
    """An anonymous display stream on a raw socket (kept open); returns its status and the socket."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    extra = f"X-Forwarded-For: {forwarded_for}\r\n" if forwarded_for else ""
    sock.sendall(f"GET /api/stream?channel=display HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode())
    status = b""
    while not status.endswith(b"\r\n"):
        status += sock.recv(1)
    return int(status.split()[1]), sock


@pytest.fixture
def server(db_url):
    # one worker of 64 threads, behind one (pretended) proxy so each stream can come from its own address
    proc = HallServerProcess(db_url, KIOSK_WORKERS="1", KIOSK_PROXY_HOPS="1").start()
    yield proc
    proc.stop()


def test_70_anonymous_streams_then_a_ticket(server):
    opened = [open_stream(server.url, f"10.0.{i // 200}.{i % 200 + 1}") for i in range(70)]
    same_address = [open_stream(server.url, "10.9.9.9") for _ in range(6)]
    try:
        statuses = [status for status, _ in opened]
        assert statuses.count(200) == 16 and statuses.count(429) == 54  # KIOSK_STREAM_ANONYMOUS
        # the total is taken: this address gets nothing; with room, it would get 4 (KIOSK_STREAM_PER_CLIENT)
        assert [status for status, _ in same_address] == [429] * 6
        ticket = requests.post(f"{server.url}/api/tickets", json={"business_type": "pay_bill"},
                               headers=server.device_headers, timeout=10)
        assert ticket.status_code == 201 and requests.get(f"{server.url}/healthz", timeout=10).ok
        # a kiosk's stream carries its token: not counted among the anonymous ones
        with requests.get(f"{server.url}/api/stream?channel=kiosk:kiosk-1,display", stream=True,
                          headers=server.device_headers, timeout=10) as kiosk:
            assert kiosk.status_code == 200
    finally:
        for _status, sock in opened + same_address:
            sock.close()


def test_one_address_gets_four_and_a_closed_stream_frees_its_place(server):
    streams = [open_stream(server.url, "10.1.1.1") for _ in range(5)]
    try:
        assert [status for status, _ in streams] == [200, 200, 200, 200, 429]
        assert open_stream(server.url, "10.1.1.2")[0] == 200  # another address has its own four
        streams[0][1].close()  # one page closes: its place comes back without waiting for a keep-alive
        deadline = time.monotonic() + 10
        while (again := open_stream(server.url, "10.1.1.1"))[0] == 429 and time.monotonic() < deadline:
            again[1].close()
            time.sleep(0.2)
        streams.append(again)
        assert again[0] == 200
    finally:
        for _status, sock in streams:
            sock.close()


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(db_url):
    server = HallServerProcess(db_url, KIOSK_WORKERS="1").start()
    streams = [open_stream(server.url, f"10.2.0.{i}") for i in range(1, 6)]
    try:
        # every stream is 127.0.0.1's whatever the header says: four, then 429
        assert [status for status, _ in streams] == [200, 200, 200, 200, 429]
    finally:
        for _status, sock in streams:
            sock.close()
        server.stop()
