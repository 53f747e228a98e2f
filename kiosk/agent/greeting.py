"""The hall's greeting standard as a state machine per track: approach at 3 m, greeting once at 2 m, left.

Pure logic: it sees tracks with filtered distances and calls back; the agent
turns the callbacks into events, speech and snapshots. A zone counts only
after `inertia` consecutive frames inside its edge, and only for a track
seen on `min_hits` frames (a detector's stray hit rarely lasts); a reading between the
edge and edge + hysteresis neither counts nor breaks the run, so a person
standing on the line does not restart the count. A track that ends is held
for `reacquire_s` when it was lost near the kiosk (inside the approach
zone: turned away, hidden by someone passing): a new track starting at the
same place, size and distance carries on as the same visit (same key, no
second approach or greeting); otherwise `left` fires. A track lost far away
is someone who walked off, and a newcomer there is a new visit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .config import TrackerSettings, ZoneSettings
from .track import Track


@dataclass
class ZoneRun:
    """Consecutive frames inside one zone edge, with hysteresis."""

    edge: float
    hysteresis: float
    inertia: int
    count: int = 0
    started_at: float | None = None  # time of the run's first frame inside the edge
    confirmed: bool = False

    def update(self, distance: float | None, t: float, allow: bool = True) -> bool:
        """Feed one reading; True on the frame the zone becomes confirmed (only when `allow`)."""
        if self.confirmed or distance is None:
            return False
        if distance < self.edge:
            if self.count == 0:
                self.started_at = t
            self.count += 1
        elif distance >= self.edge + self.hysteresis:
            self.count = 0
            self.started_at = None
        if self.count >= self.inertia and allow:
            self.confirmed = True
            return True
        return False


@dataclass
class Visit:
    """Greeting state of one person, kept under the key of the track that first saw them."""

    key: str
    track_id: int
    approach: ZoneRun
    greet: ZoneRun
    approached_at: float | None = None
    greet_requested_at: float | None = None
    greeted_at: float | None = None  # speech started
    last_seen: float = 0.0
    last_box: tuple = (0, 0, 0, 0)
    last_distance: float | None = None
    nearest: float | None = None  # the nearest this person came (m): greeting compliance counts it
    ended_at: float | None = None  # the track ended; waiting for re-acquisition
    updated_at: float | None = None  # frame time of the last update
    hits: int = 0  # frames this person was detected on, over all their tracks
    track_ids: list[int] = field(default_factory=list)

    @property
    def greet_entered_at(self) -> float | None:
        return self.greet.started_at


class GreetingMachine:
    """Call `update` once per frame with the tracker's live and ended tracks."""

    def __init__(
        self,
        zones: ZoneSettings,
        tracker: TrackerSettings,
        *,
        on_approach: Callable[[Visit, float], None] = lambda v, t: None,
        on_greet: Callable[[Visit, float], None] = lambda v, t: None,
        on_left: Callable[[Visit, float], None] = lambda v, t: None,
        key_prefix: str = "",
    ):
        self.zones = zones
        self.tracker = tracker
        self.on_approach = on_approach
        self.on_greet = on_greet
        self.on_left = on_left
        self.key_prefix = key_prefix
        self.by_track: dict[int, Visit] = {}
        self.held: list[Visit] = []  # ended tracks waiting for re-acquisition
        self.reacquired = 0
        self._seen_ids: set[int] = set()

    def _visit_for(self, track: Track, t: float) -> Visit:
        visit = self.by_track.get(track.id)
        if visit is not None:
            return visit
        visit = self._reacquire(track, t)
        if visit is None:
            z = self.zones
            visit = Visit(
                key=f"{self.key_prefix}{track.id}",
                track_id=track.id,
                approach=ZoneRun(z.approach_m, z.hysteresis_m, z.inertia),
                greet=ZoneRun(z.greet_m, z.hysteresis_m, z.inertia),
            )
        visit.track_ids.append(track.id)
        visit.track_id = track.id
        self.by_track[track.id] = visit
        return visit

    def _reacquire(self, track: Track, t: float) -> Visit | None:
        """The visit this new track most likely continues: lost near the kiosk, same place and size.

        Candidates: visits whose tracks all ended near the kiosk (held), and visits none of whose
        tracks was seen this frame although one is still alive (the tracker could not match it,
        e.g. frames dropped under load). Several tracks may then serve one visit.
        """
        reach = self.zones.approach_m + self.zones.hysteresis_m
        seen_visits = {id(self.by_track[tid]) for tid in self._seen_ids if tid in self.by_track}
        lost = {
            id(v): v
            for tid, v in self.by_track.items()
            if tid != track.id and id(v) not in seen_visits and v.last_seen > 0
        }
        best, best_score = None, None
        tx, ty = track.center
        d = track.distance_m
        for visit in self.held + list(lost.values()):
            x, y, w, h = visit.last_box
            if w <= 0 or visit.last_distance is None or visit.last_distance >= reach:
                continue  # lost far away: someone who walked off, not someone turning round
            rel = ((x + w / 2 - tx) ** 2 + (y + h / 2 - ty) ** 2) ** 0.5 / max(w, track.box[2])
            size = track.box[2] / w
            near = d is None or abs(d - visit.last_distance) <= 0.6
            if rel <= 2.5 and 0.67 <= size <= 1.5 and near and (best_score is None or rel < best_score):
                best, best_score = visit, rel
        if best is not None:
            if best in self.held:
                self.held.remove(best)
            best.ended_at = None
            self.reacquired += 1
        return best

    def update(self, t: float, tracks: list[Track], ended: Sequence[Track] = ()) -> None:
        self._seen_ids = {tr.id for tr in tracks if tr.seen}
        for track in tracks:
            visit = self._visit_for(track, t)
            if not track.seen or visit.updated_at == t:  # two tracks of one visit: count the frame once
                continue
            visit.updated_at = t
            visit.hits += 1
            visit.last_seen = track.last_seen
            visit.last_box = track.box
            d = track.distance_m
            visit.last_distance = d
            if d is not None and (visit.nearest is None or d < visit.nearest):
                visit.nearest = d
            # a brand-new track must first prove itself: a cascade's stray hit rarely lasts this long
            sure = visit.hits >= self.tracker.min_hits
            near_approach = visit.approach.update(d, t, sure)
            visit.greet.update(d, t, sure)
            if near_approach or (visit.greet.confirmed and visit.approached_at is None):
                visit.approach.confirmed = True
                visit.approached_at = t
                self.on_approach(visit, t)
            if visit.greet.confirmed and visit.greet_requested_at is None:
                visit.greet_requested_at = t
                self.on_greet(visit, t)
        reach = self.zones.approach_m + self.zones.hysteresis_m
        for track in ended:
            ended_visit = self.by_track.pop(track.id, None)
            if ended_visit is None or any(v is ended_visit for v in self.by_track.values()):
                continue  # another live track still serves this visit
            ended_visit.ended_at = t
            lost_near = ended_visit.last_distance is not None and ended_visit.last_distance < reach
            if lost_near and self.tracker.reacquire_s > 0:
                self.held.append(ended_visit)
            elif ended_visit.approached_at is not None:
                self.on_left(ended_visit, ended_visit.last_seen)
        keep = []
        for visit in self.held:
            assert visit.ended_at is not None  # a visit is held from the moment its track ended
            if t - visit.ended_at >= self.tracker.reacquire_s:
                if visit.approached_at is not None:
                    self.on_left(visit, visit.last_seen)
            else:
                keep.append(visit)
        self.held = keep

    def flush(self, t: float) -> None:
        """The source stopped: every visit still open has left."""
        visits = {id(v): v for v in list(self.by_track.values()) + self.held}
        for visit in visits.values():
            if visit.approached_at is not None:
                self.on_left(visit, visit.last_seen or t)
        self.by_track.clear()
        self.held = []
