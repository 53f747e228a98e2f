"""How many requests a worker runs at once; the others wait their turn in arrival order.

A worker has many threads so that every open live page can hold one, but
requests that all run at once only take turns on the one interpreter lock:
each then takes longer, the lock goes to whichever thread grabs it first, and
the slowest requests wait the longest. With a few slots handed on in arrival
order, a worker finishes sooner what it started, and a waiting request
costs nothing.

A live page's stream runs after its view has returned, outside any slot. A
view that waits on another service (the assistant, whose actions call back
into this server; a printer) steps out of its slot for the wait, and ends
its database session first: see `outside`.

A request that holds its slot longer than KIOSK_REQUEST_TIMEOUT_S is stuck:
the watchdog (`watch`, started in each server worker) has the worker
restarted rather than let it serve nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app

from kiosk.settings import Settings
from kiosk.web.database import end_transaction

log = logging.getLogger(__name__)


class FifoSlots:
    """A semaphore that hands a freed slot to the longest waiter (threading's may let a newcomer in first)."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._lock = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._since: dict[int, float] = {}  # holder thread -> when it took its slot

    def acquire(self) -> None:
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                self._since[threading.get_ident()] = time.monotonic()
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        turn.acquire()  # released by the release() that hands this waiter its slot
        with self._lock:
            self._since[threading.get_ident()] = time.monotonic()

    def longest_held(self) -> float:
        """Seconds the longest-running holder has held its slot (0 when none is held)."""
        with self._lock:
            return time.monotonic() - min(self._since.values()) if self._since else 0.0

    def release(self) -> None:
        with self._lock:
            self._since.pop(threading.get_ident(), None)
            if self._waiters:
                self._waiters.popleft().release()  # the slot passes on without becoming free
            else:
                self._free += 1

    @property
    def waiting(self) -> int:
        return len(self._waiters)


_held = threading.local()  # whether this thread's request holds a slot


def init_app(app: Flask, settings: Settings) -> None:
    slots = FifoSlots(settings.request_slots)
    app.extensions["admission"] = slots
    inner = app.wsgi_app

    def admitted(environ, start_response):
        slots.acquire()
        _held.slot = True
        try:
            return inner(environ, start_response)
        finally:
            _held.slot = False
            slots.release()

    # Flask's documented way to add WSGI middleware, but its typing declares wsgi_app a method
    app.wsgi_app = admitted  # type: ignore[method-assign]


@contextmanager
def outside() -> Iterator[None]:
    """Give up this request's slot while it waits on another service, and queue for it again after.

    The request's database transaction ends first (commit what must stay before):
    a transaction held across the wait would hold SQLite's write lock, which
    the requests holding the slots would then wait on, while this one waits
    for a slot.
    """
    end_transaction()
    if not getattr(_held, "slot", False):
        yield
        return
    slots: FifoSlots = current_app.extensions["admission"]
    _held.slot = False
    slots.release()
    try:
        yield
    finally:
        slots.acquire()
        _held.slot = True


def watch(app: Flask, timeout_s: float, on_stuck: Callable[[], None]) -> threading.Thread:
    """Call `on_stuck` (restart the worker) once a request has held its slot past `timeout_s`.

    Python cannot stop a thread, and a stuck request keeps its slot (its
    lock, its connection) for good; a fresh worker process is the way out.
    """
    slots: FifoSlots = app.extensions["admission"]

    def loop() -> None:
        while True:
            time.sleep(min(1.0, timeout_s / 4))
            held = slots.longest_held()
            if held > timeout_s:
                log.error("a request has run %.0f s (timeout %s s): restarting this worker", held, timeout_s)
                on_stuck()
                return

    thread = threading.Thread(target=loop, name="request-watchdog", daemon=True)
    thread.start()
    return thread
