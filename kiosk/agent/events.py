"""The agent's side of the hall API: visit events and snapshots through a queue, hall flags by polling.

The camera loop only appends to a queue. One sender thread posts in order
(an approach before its greeting), retrying the head with backoff while the
hall server is down, with an Idempotency-Key per item so a retry after a
lost answer is not counted twice. Nothing queued is dropped while the agent
runs, except what the server rejects as invalid (logged) and, when the hall
server stays away so long that the queue reaches its bound (`queue_max`,
`snapshot_queue_max`), the oldest snapshots and then the oldest events
(counted in `dropped`, logged): memory stays bounded.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from kiosk.hall_client import HallApiError, HallClient

from .config import ServerSettings

log = logging.getLogger(__name__)

RETRY_STATUSES = {401, 403, 408, 425, 429}  # may succeed later (token fixed, server warmed up)


@dataclass
class Outgoing:
    kind: str  # event | snapshot
    visit_key: str
    body: dict | bytes
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    attempts: int = 0
    queued_at: float = field(default_factory=time.monotonic)


class EventSender:
    def __init__(
        self, settings: ServerSettings, *, timezone: str = "Asia/Shanghai", hall: HallClient | None = None
    ):
        self.settings = settings
        self.tz = ZoneInfo(timezone)
        self.hall = hall or HallClient(
            settings.url or None, settings.token or "", timeout_s=settings.timeout_s
        )
        self._queue: collections.deque[Outgoing] = collections.deque()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._flags_thread: threading.Thread | None = None
        self.visit_ids: dict[str, str] = {}  # visit key (track id) -> server visit id
        self.flags: dict = {"rain": False, "wet_floor": False}
        self.flags_ok = False
        self.sent: list[dict] = []  # what the server accepted (event body + answer)
        self.log: list[dict] = []  # every event queued (also without a server)
        self.rejected = 0
        self.dropped = 0
        self.failed_attempts = 0
        self._busy = False
        # monotonic -> wall clock, fixed at start so event times follow frame times
        self._wall_offset = time.time() - time.monotonic()

    # -- camera loop side (never blocks) --------------------------------
    def iso(self, t_monotonic: float) -> str:
        wall = t_monotonic + self._wall_offset
        return dt.datetime.fromtimestamp(wall, self.tz).isoformat(timespec="milliseconds")

    def local_now(self) -> dt.datetime:
        return dt.datetime.now(self.tz)

    def event(self, kind: str, visit_key: str, t: float, **data) -> dict:
        body = {"kind": kind, "device_id": self.settings.device_id, "track_id": visit_key, "at": self.iso(t)}
        body.update({k: v for k, v in data.items() if v is not None})
        self.log.append(body)
        log.info("event %s", body)
        self._put(Outgoing("event", visit_key, body))
        return body

    def snapshot(self, visit_key: str, jpeg: bytes) -> None:
        self._put(Outgoing("snapshot", visit_key, jpeg))

    def _put(self, item: Outgoing) -> None:
        if not self.settings.url:
            return
        with self._cond:
            self._queue.append(item)
            self._bound()
            self._cond.notify_all()

    def _bound(self) -> None:
        """Drop the oldest snapshots, then the oldest events, past the queue's bounds (the head,
        which the sender may be posting, stays)."""
        snapshots = [i for i in list(self._queue)[1:] if i.kind == "snapshot"]
        excess = max(
            len(snapshots) - self.settings.snapshot_queue_max, len(self._queue) - self.settings.queue_max
        )
        drop = snapshots[: max(excess, 0)]
        if len(drop) < excess:
            drop += [i for i in list(self._queue)[1:] if i.kind != "snapshot"][: excess - len(drop)]
        for item in drop:
            self._queue.remove(item)
        if drop:
            self.dropped += len(drop)
            log.error(
                "hall server away too long: dropped %d queued posts (%d in all)", len(drop), self.dropped
            )

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._queue)  # the item being sent stays at the head until it is done

    # -- threads ---------------------------------------------------------
    def start(self, *, poll_flags_s: float | None = 30.0) -> EventSender:
        if not self.settings.url:
            log.warning("KIOSK_SERVER_URL is not set: events are logged, not sent")
            return self
        self._thread = threading.Thread(target=self._send_loop, name="hall-events", daemon=True)
        self._thread.start()
        if poll_flags_s:
            self._flags_thread = threading.Thread(
                target=self._flags_loop, args=(poll_flags_s,), name="hall-flags", daemon=True
            )
            self._flags_thread.start()
        return self

    def close(self, timeout: float = 10.0) -> bool:
        """Try to deliver what is queued within `timeout`; True when everything went out."""
        deadline = time.monotonic() + timeout
        while self.pending and time.monotonic() < deadline and self._thread and self._thread.is_alive():
            time.sleep(0.05)
        left = self.pending
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread:
            self._thread.join(timeout=2)
        if left:
            log.error("%d hall server requests could not be delivered before exit", left)
        return left == 0

    def _send_loop(self) -> None:
        delay = 0.25
        while not self._stop.is_set():
            with self._cond:
                while not self._queue and not self._stop.is_set():
                    self._cond.wait(0.5)
                if self._stop.is_set():
                    return
                item = self._queue[0]
            outcome = self._send(item)
            with self._cond:
                if outcome in ("done", "rejected"):
                    self._queue.popleft()
            if outcome == "retry":
                self.failed_attempts += 1
                self._stop.wait(delay)
                delay = min(delay * 2, self.settings.retry_max_s)
            else:
                delay = 0.25

    def _send(self, item: Outgoing) -> str:
        item.attempts += 1
        try:
            if item.kind == "event":
                r = self.hall.send("POST", "/api/visits/events", json=item.body, idempotency_key=item.key)
            else:
                visit_id = self.visit_ids.get(item.visit_key)
                if visit_id is None:
                    log.warning("snapshot of %s dropped: its visit was never opened", item.visit_key)
                    self.rejected += 1
                    return "rejected"
                assert isinstance(item.body, bytes)
                r = self.hall.send(
                    "POST",
                    f"/api/visits/{visit_id}/snapshot",
                    data=item.body,
                    headers={"Content-Type": "image/jpeg"},
                    idempotency_key=item.key,
                )
        except HallApiError as exc:
            if item.attempts == 1 or item.attempts % 10 == 0:
                log.warning(
                    "hall server unreachable (%s); %d queued, retrying", exc.message, len(self._queue)
                )
            return "retry"
        if r.status_code >= 500 or r.status_code in RETRY_STATUSES:
            if item.attempts == 1 or item.attempts % 10 == 0:
                log.warning("hall server answered %s to %s; retrying", r.status_code, item.kind)
            return "retry"
        if r.status_code >= 400:
            self.rejected += 1
            log.error(
                "hall server rejected %s %s: %s %s",
                item.kind,
                item.body if item.kind == "event" else item.visit_key,
                r.status_code,
                r.text[:300],
            )
            return "rejected"
        answer = {}
        try:
            answer = r.json()
        except ValueError:
            pass
        if item.kind == "event":
            if isinstance(answer, dict) and answer.get("visit_id") is not None:
                self.visit_ids.setdefault(item.visit_key, str(answer["visit_id"]))
            self.sent.append({"body": item.body, "answer": answer, "attempts": item.attempts})
        else:
            self.sent.append({"snapshot": item.visit_key, "bytes": len(item.body), "attempts": item.attempts})
        return "done"

    def fetch_flags(self) -> dict:
        data = self.hall.call("GET", "/api/hall/flags")
        self.flags = {"rain": bool(data.get("rain")), "wet_floor": bool(data.get("wet_floor"))}
        self.flags_ok = True
        return self.flags

    def _flags_loop(self, every: float) -> None:
        while not self._stop.is_set():
            try:
                self.fetch_flags()
            except HallApiError as exc:
                log.debug("hall flags not fetched: %s", exc)
            self._stop.wait(every)
