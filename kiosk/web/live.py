"""Live pages: one thread per server process tails the outbox and feeds SSE subscribers.

The outbox (`live_events`) is written in the same transaction as the change,
so every worker process, on SQLite or PostgreSQL, sees every event; a commit
in this process wakes the tail at once, and events from other processes are
picked up within one poll interval.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator

from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import TooManyRequests

from kiosk.models import LiveEvent

POLL_S = 0.05
CHECK_S = 1.0  # how often an idle stream looks whether its client is still there
KEEPALIVE_S = 15.0


class Broadcaster:
    def __init__(self, sessions: sessionmaker[Session]):
        self._sessions = sessions
        self._subscribers: dict[int, tuple[set[str], queue.Queue]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_id = 0

    def wake(self) -> None:
        self._wake.set()

    def subscribe(self, channels: set[str], since: int | None = None) -> tuple[int, queue.Queue]:
        self._start()
        q: queue.Queue = queue.Queue(maxsize=1000)
        if since is not None:  # a reconnecting page gets what it missed
            with self._sessions() as s:
                for ev in s.scalars(
                    select(LiveEvent)
                    .where(
                        LiveEvent.id > since, LiveEvent.id <= self._last_id, LiveEvent.channel.in_(channels)
                    )
                    .order_by(LiveEvent.id)
                    .limit(500)
                ):
                    q.put_nowait(_message(ev))
        with self._lock:
            token = id(q)
            self._subscribers[token] = (channels, q)
        return token, q

    def unsubscribe(self, token: int) -> None:
        with self._lock:
            self._subscribers.pop(token, None)

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            with self._sessions() as s:
                self._last_id = s.scalar(select(func.max(LiveEvent.id))) or 0
            self._thread = threading.Thread(target=self._run, name="live-tail", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait(POLL_S)
            self._wake.clear()
            try:
                self._tail()
            except Exception:  # the database may be briefly unavailable; keep tailing
                self._wake.wait(1.0)

    def _tail(self) -> None:
        with self._lock:
            if not self._subscribers:
                return
        with self._sessions() as s:
            events = s.scalars(
                select(LiveEvent).where(LiveEvent.id > self._last_id).order_by(LiveEvent.id).limit(1000)
            ).all()
        if not events:
            return
        self._last_id = events[-1].id
        with self._lock:
            subscribers = list(self._subscribers.values())
        for ev in events:
            msg = _message(ev)
            for channels, q in subscribers:
                if ev.channel in channels:
                    try:
                        q.put_nowait(msg)
                    except queue.Full:
                        pass  # a stalled page; it reloads from Last-Event-ID


def _message(ev: LiveEvent) -> str:
    return f"id: {ev.id}\nevent: {ev.type}\ndata: {json.dumps({**ev.data, 'channel': ev.channel}, ensure_ascii=False)}\n\n"


def stream(
    broadcaster: Broadcaster, channels: set[str], since: int | None, gone: Callable[[], bool] = lambda: False
) -> Iterator[str]:
    """The stream of one live page; it ends (and its thread is free) soon after `gone()` says so."""
    token, q = broadcaster.subscribe(channels, since)
    try:
        yield "retry: 1000\n: connected\n\n"
        idle = 0.0
        while True:
            try:
                yield q.get(timeout=CHECK_S)
                idle = 0.0
            except queue.Empty:
                if gone():
                    return
                idle += CHECK_S
                if idle >= KEEPALIVE_S:
                    idle = 0.0
                    yield ": keep-alive\n\n"
    finally:
        broadcaster.unsubscribe(token)


def client_gone(sock: socket.socket | None) -> bool:
    """Whether the client closed the connection: its socket reads as ended (a write would only
    notice at the next keep-alive, holding the thread till then)."""
    if sock is None:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:  # nothing to read: still there
        return False
    except (OSError, ValueError):  # reset, or already closed
        return True


class StreamCaps:
    """Open anonymous streams of this process, per client address and in all: past a cap, 429."""

    def __init__(self, per_client: int, total: int) -> None:
        self.per_client, self.total = per_client, total
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def enter(self, address: str) -> Callable[[], None]:
        """Count one more stream of `address`; returns the function that counts it out again."""
        with self._lock:
            if self._open[address] >= self.per_client or self._open.total() >= self.total:
                raise TooManyRequests("too many open live pages from here", retry_after=5)
            self._open[address] += 1
        left = threading.Event()

        def leave() -> None:
            with self._lock:
                if not left.is_set():
                    left.set()
                    self._open[address] -= 1
                    if self._open[address] <= 0:
                        del self._open[address]

        return leave


def init_app(app: Flask) -> None:
    broadcaster = Broadcaster(app.extensions["sessions"])
    app.extensions["live"] = broadcaster
    settings = app.extensions["settings"]
    app.extensions["anonymous_streams"] = StreamCaps(settings.stream_per_client, settings.stream_anonymous)

    @event.listens_for(app.extensions["sessions"], "after_commit")
    def _wake(session):
        if session.info.pop("live", False):
            broadcaster.wake()

    @event.listens_for(app.extensions["sessions"], "before_flush")
    def _mark(session, _ctx, _instances):
        if any(isinstance(o, LiveEvent) for o in session.new):
            session.info["live"] = True
