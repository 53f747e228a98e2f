"""Following one live channel of the hall server (Server-Sent Events) in a thread, for the speaking processes.

The announcer follows `display`, the agent's reply reader `speaker:<device>`.
A dropped stream is reopened with backoff; a follower that keeps `last_id`
resumes after it (Last-Event-ID), one that does not hears only what comes next.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Self

from kiosk.hall_client import HallApiError, HallClient

log = logging.getLogger(__name__)


def sse_events(lines: Iterator[str]) -> Iterator[tuple[int | None, str, str]]:
    """(id, event, data) from the lines of a text/event-stream."""
    ev_id: int | None = None
    ev_type = "message"
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                yield ev_id, ev_type, "\n".join(data)
            ev_id, ev_type, data = None, "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "id" and value.isdigit():
                ev_id = int(value)
            elif field == "event":
                ev_type = value
            elif field == "data":
                data.append(value)


class ChannelFollower:
    """Hands every event of one channel to `handle`; `start()` runs it in a daemon thread."""

    def __init__(self, hall: HallClient, channel: str):
        self.hall = hall
        self.channel = channel
        self.last_id: int | None = None  # set by followers that resume after a reconnect
        self.connected = threading.Event()
        self._stop = threading.Event()

    def handle(self, ev_id: int | None, ev_type: str, data: str) -> object:
        raise NotImplementedError

    def run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            headers = {"Accept": "text/event-stream"}
            if self.last_id is not None:
                headers["Last-Event-ID"] = str(self.last_id)
            try:
                with self.hall.stream(f"/api/stream?channel={self.channel}", headers) as r:
                    r.encoding = "utf-8"
                    self.connected.set()
                    backoff = 0.5
                    for ev in sse_events(r.iter_lines(decode_unicode=True)):
                        if self._stop.is_set():
                            return
                        self.handle(*ev)
            except HallApiError as exc:
                log.warning("%s channel unreachable (%s); retrying", self.channel, exc)
            self.connected.clear()
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)

    def start(self) -> Self:
        threading.Thread(target=self.run, name=f"follow-{self.channel}", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
