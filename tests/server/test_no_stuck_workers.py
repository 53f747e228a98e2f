"""No worker gets stuck: nothing holds a lock or a request slot across a wait on the assistant or a
printer, and a request that does hang has its worker replaced."""
from __future__ import annotations

import socket
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.staff.helpers import at_url, make_user
from tests.support.server import HallServerProcess

PATIENCE_S = 30  # far past every timeout in play: a call still unanswered then is stuck


class HungServer:
    """Accepts connections and never answers: an assistant that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


class HungPrinter:
    """A network printer whose connection queue is full: connecting to it hangs until the timeout."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.filler = socket.create_connection(("127.0.0.1", self.port))  # takes the one place in the queue

    def close(self) -> None:
        self.filler.close()
        self.sock.close()


@pytest.fixture
def hung_assistant():
    hung = HungServer()
    yield hung
    hung.close()


def test_readyz_and_two_requests_against_a_hung_assistant_are_all_answered(db_url, hung_assistant):
    # one worker with its two request slots: a lock held across the wait used to take all of them
    server = HallServerProcess(db_url, KIOSK_WORKERS="1", KIOSK_RASA_URL=hung_assistant.url).start()
    try:
        guide = {"Authorization": f"Bearer {make_user(at_url(db_url), 'guide1', 'guide')}"}
        calls = {
            "readyz": lambda: requests.get(f"{server.url}/readyz", timeout=PATIENCE_S),
            # a staff token is looked up in the database before the assistant is asked
            "classify": lambda: requests.post(f"{server.url}/api/triage/classify", json={"text": "交电费"},
                                              headers=guide, timeout=PATIENCE_S),
            "session": lambda: requests.post(f"{server.url}/api/kiosk/sessions", json={},
                                             headers=server.device_headers, timeout=PATIENCE_S),
        }
        for _round in range(3):
            with ThreadPoolExecutor(len(calls)) as pool:
                answers = {name: f.result() for name, f in {n: pool.submit(c) for n, c in calls.items()}.items()}
            assert answers["readyz"].status_code == 503
            assert answers["readyz"].json()["failing"] == {"assistant": answers["readyz"].json()["failing"]["assistant"]}
            assert answers["classify"].status_code == 503
            assert answers["classify"].json()["error"]["code"] == "assistant_unavailable"
            assert answers["session"].status_code == 201 and answers["session"].json()["mode"] == "menu"
        ticket = requests.post(f"{server.url}/api/tickets", json={"business_type": "pay_bill"},
                               headers=server.device_headers, timeout=PATIENCE_S)
        assert ticket.status_code == 201
    finally:
        server.stop()


def test_tickets_are_issued_while_a_print_hangs(db_url):
    printer = HungPrinter()
    server = HallServerProcess(db_url, KIOSK_WORKERS="1", KIOSK_PRINTER=f"net:127.0.0.1:{printer.port}").start()
    try:
        issue = lambda: requests.post(f"{server.url}/api/tickets", json={"business_type": "pay_bill"},  # noqa: E731
                                      headers=server.device_headers, timeout=PATIENCE_S)
        first = issue().json()
        with ThreadPoolExecutor(2) as pool:
            printing = pool.submit(requests.post, f"{server.url}/api/kiosk/tickets/{first['id']}/print",
                                   headers=server.device_headers, timeout=PATIENCE_S)
            # both slots of the one worker and SQLite's write lock stay free while the printer hangs
            issued = [issue(), issue(), requests.get(f"{server.url}/healthz", timeout=PATIENCE_S)]
            assert not printing.done()
            assert [r.status_code for r in issued] == [201, 201, 200]
            away = printing.result()
        assert away.status_code == 503 and away.json()["error"]["code"] == "printer_unavailable"
    finally:
        server.stop()
        printer.close()


def test_a_request_stuck_past_the_timeout_gets_its_worker_replaced(tmp_path):
    db_file = tmp_path / "hall.db"
    server = HallServerProcess(f"sqlite:///{db_file}", KIOSK_WORKERS="1", KIOSK_REQUEST_TIMEOUT_S="2").start()
    other = sqlite3.connect(db_file, timeout=1, isolation_level=None)
    try:
        worker = server.worker_pids()
        # another program holds the database's write lock: the ticket waits on SQLite's busy timeout
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(requests.ConnectionError):
            requests.post(f"{server.url}/api/tickets", json={"business_type": "pay_bill"},
                          headers=server.device_headers, timeout=PATIENCE_S)
        other.execute("ROLLBACK")
        ticket = requests.post(f"{server.url}/api/tickets", json={"business_type": "pay_bill"},
                               headers=server.device_headers, timeout=PATIENCE_S)
        assert ticket.status_code == 201
        assert server.worker_pids() and server.worker_pids().isdisjoint(worker)
        assert "restarting this worker" in server.output()
    finally:
        other.close()
        server.stop()
