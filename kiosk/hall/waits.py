"""Estimated waits from recent service times per business type and the open counters.

Service times and open counters are read at most every few seconds per
process: an estimate a few seconds old is as good, and issuing a ticket
stays cheap when the hall is busy.
"""

from __future__ import annotations

import threading
import time
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from kiosk.hall.context import Hall
from kiosk.models import Counter, Ticket

_TTL_S = 3.0
_cache: dict[tuple, tuple[float, object]] = {}
_cache_lock = threading.Lock()


def _cached(key: tuple, compute):
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and now - hit[0] < _TTL_S:
        return hit[1]
    value = compute()
    with _cache_lock:
        _cache[key] = (now, value)
    return value


def service_minutes(s: Session, hall: Hall, business_type: str) -> float:
    return _cached(
        (s.get_bind().engine.url, "service", business_type), lambda: _service_minutes(s, hall, business_type)
    )


def _service_minutes(s: Session, hall: Hall, business_type: str) -> float:
    """Mean minutes of the most recent services of this type, or the default before any."""
    recent = (
        select(Ticket.service_s)
        .where(Ticket.business_type == business_type, Ticket.status == "done", Ticket.service_s.is_not(None))
        .order_by(Ticket.finished_at.desc())
        .limit(hall.recent_services)
        .subquery()
    )
    mean = s.scalar(select(func.avg(recent.c.service_s)))
    return float(mean) / 60 if mean is not None else hall.default_service_min


def open_counters(s: Session, queue: str) -> int:
    queues = _cached(
        (s.get_bind().engine.url, "open"),
        lambda: [list(q) for q in s.scalars(select(Counter.queues).where(Counter.is_open.is_(True)))],
    )
    return sum(1 for served in queues if queue in served)


# how many wait in a queue on a day, per business type: built once, run with :day and :queue
WAITING_BY_TYPE = (
    select(Ticket.business_type, func.count())
    .where(
        Ticket.service_day == bindparam("day"), Ticket.queue == bindparam("queue"), Ticket.status == "waiting"
    )
    .group_by(Ticket.business_type)
)


def waiting_by_type(s: Session, day: date, queue: str) -> dict[str, int]:
    """How many wait in `queue`, per business type."""
    return dict(s.execute(WAITING_BY_TYPE, {"day": day, "queue": queue}).tuples().all())


def minutes_for(s: Session, hall: Hall, queue: str, by_type: dict[str, int]) -> float:
    """Minutes until the customers counted in `by_type` have been served in `queue`."""
    work = sum(n * service_minutes(s, hall, bt) for bt, n in by_type.items())
    return round(work / max(open_counters(s, queue), 1), 1)
