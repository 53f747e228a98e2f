"""A worker runs a few requests at once and hands a freed slot to the longest waiter."""
from __future__ import annotations

import threading
import time

import pytest

from kiosk.web import admission
from kiosk.web.admission import FifoSlots
from tests.conftest import DEVICE_TOKEN

DEVICE = {"Authorization": f"Bearer {DEVICE_TOKEN}"}


def _until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _in_thread(fn) -> tuple[threading.Thread, list]:
    out: list = []
    thread = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    thread.start()
    return thread, out


def test_a_freed_slot_goes_to_the_waiter_not_to_a_newcomer():
    slots, order = FifoSlots(1), []
    slots.acquire()

    def waiter():
        slots.acquire()
        order.append("waiter")
        slots.release()

    thread, _ = _in_thread(waiter)
    _until(lambda: slots.waiting == 1)
    slots.release()
    slots.acquire()  # the releasing thread asks again at once: it queues behind the waiter
    order.append("newcomer")
    slots.release()
    thread.join(5)
    assert order == ["waiter", "newcomer"]


def test_waiters_are_let_in_in_arrival_order():
    slots, order = FifoSlots(1), []
    slots.acquire()
    threads = []
    for name in "abc":
        def enter(name=name):
            slots.acquire()
            order.append(name)
            slots.release()
        threads.append(_in_thread(enter)[0])
        _until(lambda n=len(threads): slots.waiting == n)
    slots.release()
    for t in threads:
        t.join(5)
    assert order == ["a", "b", "c"]


@pytest.fixture
def one_slot_app(db_url, tmp_path):
    """The real app with one request slot, and two test views: one that holds its slot until
    told, one that waits on a nested request to this app as the assistant's actions do."""
    from kiosk.web import create_app
    from kiosk.web import maintenance
    from kiosk.web.database import dispose

    app = create_app({"database_url": db_url, "device_token": DEVICE_TOKEN, "secret_key": "test-secret-key",
                      "snapshot_dir": tmp_path / "snapshots", "rasa_url": "http://127.0.0.1:9",
                      "request_slots": 1})
    app.config["TESTING"] = True
    app.entered, app.hold = threading.Event(), threading.Event()

    def held():
        app.entered.set()
        app.hold.wait(10)
        return {"held": True}

    def calls_back():
        with admission.outside():
            nested, out = _in_thread(lambda: app.test_client().post(
                "/api/tickets", json={"business_type": "pay_bill"}, headers=DEVICE).status_code)
            nested.join(5)
        return {"nested": out}

    app.add_url_rule("/test/held", view_func=held)
    app.add_url_rule("/test/calls-back", view_func=calls_back)
    yield app
    app.hold.set()
    maintenance.stop(app)
    dispose(app)


def test_a_request_waits_while_the_slot_is_taken(one_slot_app):
    slots = one_slot_app.extensions["admission"]
    holder, _ = _in_thread(lambda: one_slot_app.test_client().get("/test/held").status_code)
    assert one_slot_app.entered.wait(5)
    issuer, issued = _in_thread(lambda: one_slot_app.test_client().post(
        "/api/tickets", json={"business_type": "pay_bill"}, headers=DEVICE).status_code)
    _until(lambda: slots.waiting == 1)
    time.sleep(0.1)
    assert issued == []  # still waiting for the slot
    one_slot_app.hold.set()
    holder.join(5)
    issuer.join(5)
    assert issued == [201]


def test_an_open_live_stream_takes_no_slot(one_slot_app):
    client = one_slot_app.test_client()
    stream = client.get("/api/stream?channel=display", buffered=False)
    assert stream.status_code == 200
    issuer, issued = _in_thread(lambda: client.post("/api/tickets", json={"business_type": "pay_bill"},
                                                    headers=DEVICE).status_code)
    issuer.join(5)
    stream.close()
    assert issued == [201]


def test_a_view_waiting_on_a_callback_steps_out_of_its_slot(one_slot_app):
    r = one_slot_app.test_client().get("/test/calls-back")
    assert r.status_code == 200
    assert r.json == {"nested": [201]}  # with the slot kept, the nested request would wait for it forever
