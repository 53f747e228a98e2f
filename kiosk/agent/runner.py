"""The agent's loop: frame → regions → detections → distances → tracks → greeting machine → events and speech.

Only cheap work happens here; speech and HTTP run in their own threads, so
a slow speaker or a hall server that is down never holds up the camera.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import cv2

from kiosk.speech import SpeechWorker
from kiosk.speech.reader import ReplyReader

from .capture import Frame, FrameSource
from .config import AgentSettings
from .detect import SearchPlanner, build_detector
from .distance import DistanceEstimator
from .events import EventSender
from .greeting import GreetingMachine, Visit
from .messages import greeting_parts
from .snapshot import SnapshotStore
from .track import Track, build_tracker

log = logging.getLogger(__name__)


@dataclass
class AgentStats:
    frames: int = 0
    process_s: list[float] = field(default_factory=list)  # per processed frame
    searched_share: list[float] = field(default_factory=list)  # share of the frame searched
    detections: int = 0
    approaches: list[dict] = field(default_factory=list)
    greetings: list[dict] = field(default_factory=list)  # one per greeting asked for
    lefts: list[dict] = field(default_factory=list)
    dropped_greetings: int = 0
    frame_times: dict[int, float] = field(default_factory=dict)  # source frame index -> time seen
    started: float = 0.0
    ended: float = 0.0


class Agent:
    def __init__(
        self,
        settings: AgentSettings,
        *,
        speech: SpeechWorker | None = None,
        client: EventSender | None = None,
        clock=time.monotonic,
    ):
        self.settings = settings
        self.clock = clock
        cap = settings.capture
        self.detector = build_detector(settings.detector, settings.distance)
        self.planner = SearchPlanner(cap.width, cap.height, settings.detector, self.detector)
        self.estimator = DistanceEstimator(settings.distance)
        self.tracker = build_tracker(settings.tracker, settings.distance.median_window)
        # visit keys must not repeat across restarts of the agent: the server opens a visit per (device, track)
        self.run_id = format(int(time.time()) % 0xFFFFFF, "06x")
        self.greeter = GreetingMachine(
            settings.zones,
            settings.tracker,
            key_prefix=f"{self.run_id}-",
            on_approach=self._on_approach,
            on_greet=self._on_greet,
            on_left=self._on_left,
        )
        self.client = client or EventSender(settings.server, timezone=settings.greeting.timezone)
        self.speech = speech or SpeechWorker.from_settings(settings.speech)
        self.snapshots = SnapshotStore(settings.snapshots) if settings.snapshots.enabled else None
        self.reader: ReplyReader | None = None
        self.stats = AgentStats()
        self.tracks: list[Track] = []
        self._frame: Frame | None = None
        self._lock = threading.Lock()
        self._last_purge = 0.0
        self._last_status = 0.0

    # -- one frame -----------------------------------------------------
    def process(self, frame: Frame) -> list[Track]:
        t0 = time.perf_counter()
        self._frame = frame
        gray = cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY)
        regions = self.planner.regions(gray, [tr.box_int for tr in self.tracks])
        detections = self.detector.detect(gray, regions, frame.image)
        for d in detections:
            d.distance_m = self.estimator.measure(d)
        self.tracks = self.tracker.match_and_update(frame.t, detections)
        self.greeter.update(frame.t, self.tracks, self.tracker.pop_ended())
        s = self.stats
        s.frames += 1
        s.detections += len(detections)
        s.frame_times[frame.index] = frame.t
        s.process_s.append(time.perf_counter() - t0)
        h, w = gray.shape
        s.searched_share.append(1.0 if regions is None else sum(r[2] * r[3] for r in regions) / (w * h))
        return self.tracks

    def tick(self, t: float) -> None:
        """No frame (source down): let tracks age out so visits still end."""
        self.tracks = self.tracker.match_and_update(t, [])
        self.greeter.update(t, self.tracks, self.tracker.pop_ended())

    # -- greeting machine callbacks ---------------------------------------
    def _on_approach(self, visit: Visit, t: float) -> None:
        d = visit.last_distance
        self.stats.approaches.append(
            {
                "key": visit.key,
                "t": t,
                "distance_m": d,
                "box": visit.last_box,
                "frame": self._frame.index if self._frame else None,
            }
        )
        self.client.event("approach", visit.key, t, distance_m=round(d, 2) if d else None)

    def _on_greet(self, visit: Visit, t: float) -> None:
        g = self.settings.greeting
        flags = self.client.flags
        greeting, reminder = greeting_parts(
            self.client.local_now(),
            g.language,
            rain=flags.get("rain", False),
            wet_floor=flags.get("wet_floor", False),
        )
        text = (
            greeting + (reminder or "")
            if g.language == "zh"
            else " ".join(filter(None, [greeting, reminder]))
        )
        record = {
            "key": visit.key,
            "requested": t,
            "entered": visit.greet_entered_at,
            "text": text,
            "frame": self._frame.index if self._frame else None,
            "box": visit.last_box,
            "distance_m": visit.last_distance,
            "started": None,
            "latency_ms": None,
            "status": "queued",
        }
        self.stats.greetings.append(record)

        def started(utt, t_start: float) -> None:
            visit.greeted_at = t_start
            latency_ms = (t_start - (visit.greet_entered_at or t)) * 1000.0
            together = utt.joined is not None
            record.update(
                started=t_start,
                latency_ms=latency_ms,
                status="speaking",
                queued_ms=(t_start - utt.requested_at) * 1000.0,
                together=together,
            )
            d = visit.last_distance
            self.client.event(
                "greeted",
                visit.key,
                t_start,
                distance_m=round(d, 2) if d else None,
                latency_ms=int(round(latency_ms)),
                text=text,
                together=together or None,
            )

        def done(utt, status: str) -> None:
            record["status"] = status
            if status == "dropped":
                self.stats.dropped_greetings += 1
                log.warning(
                    "greeting for %s dropped: stale or the person left before it could be spoken", visit.key
                )

        def still_there() -> bool:  # a greeting waiting behind another is dropped if its person left
            return (
                visit.ended_at is None and self.clock() - visit.last_seen < self.settings.tracker.max_lost_s
            )

        # someone arriving while this greeting is said, or still waits its turn, is greeted with it
        self.speech.say(
            greeting,
            lang=g.language,
            kind="greeting",
            stale_after=g.stale_s,
            on_start=started,
            on_done=done,
            still_wanted=still_there,
            together=True,
        )
        if reminder:
            # spoken after any waiting greetings, once for people arriving together
            self.speech.say(
                reminder, lang=g.language, kind="notice", stale_after=15.0, dedupe=f"reminder:{reminder}"
            )
        self._snapshot(visit)  # after asking for speech: the JPEG must not delay the greeting

    def _on_left(self, visit: Visit, t: float) -> None:
        self.stats.lefts.append({"key": visit.key, "t": t})
        nearest = round(visit.nearest, 2) if visit.nearest is not None else None
        self.client.event("left", visit.key, t, nearest_m=nearest)

    def _snapshot(self, visit: Visit) -> None:
        if self.snapshots is None or self._frame is None:
            return
        faces = [tr.box for tr in self.tracks if tr.kind == "face"]
        if self.detector.kind == "person":  # blur the head of each person box
            faces = [(x + w * 0.2, y, w * 0.6, h * 0.25) for x, y, w, h in (tr.box for tr in self.tracks)]
        try:
            _, jpeg = self.snapshots.save(self._frame.image, faces, visit.key, self.client.local_now())
            if self.settings.snapshots.upload:
                self.client.snapshot(visit.key, jpeg)
        except Exception:
            log.exception("snapshot failed")

    # -- the loop --------------------------------------------------------
    def start_services(self) -> None:
        self.speech.start()
        g = self.settings.greeting
        now = self.client.local_now()
        texts = [
            (text, g.language)
            for r in (False, True)
            for w in (False, True)
            for text in greeting_parts(now, g.language, rain=r, wet_floor=w)
            if text
        ]
        self.speech.prepare(texts)
        self.client.start(poll_flags_s=g.flags_poll_s)
        sp = self.settings.speech
        if sp.read_replies and self.settings.server.url:
            self.reader = ReplyReader(
                self.client.hall, self.speech, self.settings.server.device_id, slow_rate=sp.slow_rate
            ).start()
        self._purge()

    def _purge(self) -> None:
        if self.snapshots is not None:
            try:
                self.snapshots.purge()
            except OSError:
                log.exception("snapshot retention failed")
        self._last_purge = self.clock()

    def run(
        self,
        source: FrameSource,
        *,
        stop: threading.Event | None = None,
        max_seconds: float | None = None,
        drain_s: float = 15.0,
    ) -> int:
        stop = stop or threading.Event()
        self.start_services()
        source.start()
        self.stats.started = self.clock()
        deadline = self.stats.started + max_seconds if max_seconds else None
        try:
            while not stop.is_set():
                if deadline and self.clock() >= deadline:
                    break
                frame = source.read(timeout=0.5)
                now = self.clock()
                if frame is None:
                    if source.ended:
                        break
                    self.tick(now)
                else:
                    self.process(frame)
                if now - self._last_purge > 3600:
                    self._purge()
                if now - self._last_status > 10:
                    self._last_status = now
                    self._log_status(source)
        except KeyboardInterrupt:
            log.info("interrupted")
        finally:
            source.stop()
            self.stats.ended = self.clock()
            self.shutdown(drain_s)
        return 0

    def shutdown(self, drain_s: float = 15.0) -> None:
        """Let a greeting in progress start (so its event is sent), end open visits, deliver the queue."""
        deadline = time.monotonic() + drain_s
        while not self.speech.idle() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.reader is not None:
            self.reader.stop()
        self.greeter.update(self.clock(), [], self.tracker.end_all())
        self.greeter.flush(self.clock())
        self.speech.stop(timeout=max(0.5, deadline - time.monotonic()))
        self.client.close(timeout=max(1.0, deadline - time.monotonic()))

    def _log_status(self, source: FrameSource) -> None:
        recent = self.stats.process_s[-100:]
        per = sum(recent) / len(recent) if recent else 0
        log.info(
            "source %s %s; %d frames, %.1f ms/frame, %d tracks, %d approaches, %d greetings, %d queued",
            source.spec,
            "up" if source.connected else "DOWN",
            self.stats.frames,
            per * 1000,
            len(self.tracks),
            len(self.stats.approaches),
            len(self.stats.greetings),
            self.client.pending,
        )
