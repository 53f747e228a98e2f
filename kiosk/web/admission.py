"""How many requests a worker runs at once; the others wait their turn in arrival order.

A worker has many threads so that every open live page can hold one, but
requests that all run at once only take turns on the one interpreter lock:
each then takes longer, the lock goes to whichever thread grabs it first, and
the slowest requests wait the longest. With a few slots handed on in arrival
order, a worker finishes sooner what it started, and a waiting request
costs nothing.

A live page's stream runs after its view has returned, outside any slot. A
view that waits on another service (the assistant, whose actions call back
into this server) steps out of its slot for the wait: see `outside`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app

from kiosk.settings import Settings


class FifoSlots:
    """A semaphore that hands a freed slot to the longest waiter (threading's may let a newcomer in first)."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._lock = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()

    def acquire(self) -> None:
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        turn.acquire()  # released by the release() that hands this waiter its slot

    def release(self) -> None:
        with self._lock:
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

    Step out with no transaction open: a database lock held outside a slot
    could be waited on by the requests that hold the slots.
    """
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
