"""Stable track ids across frames: a small tracker interface and an IoU-then-centroid implementation.

Same shape as Frigate's ObjectTracker: one call per frame with the frame's
time and detections. Tracks carry their median-filtered distance; nothing
about a face's appearance is kept (no recognition, no embeddings).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass, field

from .config import TrackerSettings
from .detect import Detection, iou


@dataclass
class Track:
    id: int
    box: tuple[float, float, float, float]
    kind: str
    first_seen: float
    last_seen: float
    hits: int = 1
    seen: bool = True  # detected in the latest frame
    readings: deque = field(default_factory=lambda: deque(maxlen=5))
    vx: float = 0.0  # centre velocity, pixels per second (smoothed)
    vy: float = 0.0

    def predicted_center(self, t: float) -> tuple[float, float]:
        """Where the centre should be at `t` if the person kept walking (at most 1 s ahead)."""
        cx, cy = self.center
        dt = min(1.0, max(0.0, t - self.last_seen))
        return cx + self.vx * dt, cy + self.vy * dt

    @property
    def center(self) -> tuple[float, float]:
        x, y, w, h = self.box
        return x + w / 2, y + h / 2

    @property
    def box_int(self) -> tuple[int, int, int, int]:
        x, y, w, h = self.box
        return int(round(x)), int(round(y)), int(round(w)), int(round(h))

    @property
    def distance_m(self) -> float | None:
        """Median of the last readings (a single odd detection does not move it)."""
        if not self.readings:
            return None
        values = sorted(self.readings)
        n = len(values)
        return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2

    def add(self, det: Detection, t: float) -> None:
        dt = t - self.last_seen
        if dt > 0:
            (ox, oy), (nx, ny) = self.center, det.center
            a = 0.5
            self.vx = (1 - a) * self.vx + a * (nx - ox) / dt
            self.vy = (1 - a) * self.vy + a * (ny - oy) / dt
        self.box = (det.x, det.y, det.w, det.h)
        self.last_seen = t
        self.hits += 1
        self.seen = True
        if det.distance_m is not None:
            self.readings.append(det.distance_m)


class ObjectTracker(ABC):
    """Turns per-frame detections into tracks with stable ids."""

    @abstractmethod
    def match_and_update(self, frame_time: float, detections: list[Detection]) -> list[Track]:
        """Update with one frame's detections; return the live tracks."""

    @abstractmethod
    def pop_ended(self) -> list[Track]:
        """Tracks ended (unseen too long) since the last call."""

    @abstractmethod
    def end_all(self) -> list[Track]:
        """End every live track (the source stopped)."""


class IouCentroidTracker(ObjectTracker):
    """Greedy matching: first by box overlap, then by centre distance (to where the track should be
    by now, at its walking speed) relative to box size; frames dropped under load then do not split
    a walking person into two tracks."""

    def __init__(self, settings: TrackerSettings | None = None, *, median_window: int = 5):
        self.settings = settings or TrackerSettings()
        self.median_window = median_window
        self.tracks: dict[int, Track] = {}
        self._ended: list[Track] = []
        self._next_id = 1

    def _new(self, det: Detection, t: float) -> Track:
        track = Track(
            id=self._next_id,
            box=(det.x, det.y, det.w, det.h),
            kind=det.kind,
            first_seen=t,
            last_seen=t,
            readings=deque(maxlen=self.median_window),
        )
        if det.distance_m is not None:
            track.readings.append(det.distance_m)
        self._next_id += 1
        self.tracks[track.id] = track
        return track

    def match_and_update(self, frame_time, detections):
        s = self.settings
        live = list(self.tracks.values())
        for track in live:
            track.seen = False
        unmatched = set(range(len(detections)))
        free = {t.id for t in live}

        pairs = sorted(
            (
                (iou(t.box_int, d), t.id, i)
                for t in live
                for i, d in enumerate(detections)
                if t.kind == d.kind
            ),
            reverse=True,
        )
        for overlap, tid, i in pairs:
            if overlap < s.iou_threshold:
                break
            if tid in free and i in unmatched:
                self.tracks[tid].add(detections[i], frame_time)
                free.discard(tid)
                unmatched.discard(i)

        pairs = []
        for tid in free:
            t = self.tracks[tid]
            tx, ty = t.predicted_center(frame_time)
            for i in unmatched:
                d = detections[i]
                if d.kind != t.kind:
                    continue
                dx, dy = d.center
                rel = ((dx - tx) ** 2 + (dy - ty) ** 2) ** 0.5 / max(t.box[2], d.w)
                size = d.w / t.box[2]
                if rel <= s.max_centroid_jump and 0.6 <= size <= 1.67:
                    pairs.append((rel, tid, i))
        for _, tid, i in sorted(pairs):
            if tid in free and i in unmatched:
                self.tracks[tid].add(detections[i], frame_time)
                free.discard(tid)
                unmatched.discard(i)

        for i in sorted(unmatched):
            self._new(detections[i], frame_time)

        for tid in list(free):
            track = self.tracks[tid]
            if frame_time - track.last_seen > s.max_lost_s:
                self._ended.append(self.tracks.pop(tid))
        return list(self.tracks.values())

    def pop_ended(self):
        ended, self._ended = self._ended, []
        return ended

    def end_all(self) -> list[Track]:
        """End every live track (the source stopped)."""
        self._ended.extend(self.tracks.values())
        self.tracks.clear()
        return self.pop_ended()


def build_tracker(settings: TrackerSettings, median_window: int) -> ObjectTracker:
    return IouCentroidTracker(settings, median_window=median_window)
