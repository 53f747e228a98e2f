"""Estimated waits from recent service times per business type and the open counters."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.hall.context import Hall
from kiosk.models import Counter, Ticket


def service_minutes(s: Session, hall: Hall, business_type: str) -> float:
    """Mean minutes of the most recent services of this type, or the default before any."""
    rows = s.execute(
        select(Ticket.serving_at, Ticket.called_at, Ticket.finished_at)
        .where(Ticket.business_type == business_type, Ticket.status == "done",
               Ticket.finished_at.is_not(None))
        .order_by(Ticket.finished_at.desc()).limit(hall.recent_services)
    ).all()
    spans = [(end - (start or called)).total_seconds() / 60 for start, called, end in rows
             if (start or called) and end]
    return sum(spans) / len(spans) if spans else hall.default_service_min


def open_counters(s: Session, queue: str) -> int:
    counters = s.scalars(select(Counter).where(Counter.is_open.is_(True))).all()
    return sum(1 for c in counters if queue in c.queues)


def wait_for(s: Session, hall: Hall, queue: str, ahead: list[Ticket],
             cache: dict[str, float] | None = None) -> float:
    """Minutes until a customer behind `ahead` is called in `queue`."""
    cache = {} if cache is None else cache
    total = 0.0
    for t in ahead:
        if t.business_type not in cache:
            cache[t.business_type] = service_minutes(s, hall, t.business_type)
        total += cache[t.business_type]
    return round(total / max(open_counters(s, queue), 1), 1)


def waiting_in(s: Session, day: date, queues: list[str]) -> list[Ticket]:
    return list(s.scalars(select(Ticket).where(
        Ticket.service_day == day, Ticket.queue.in_(queues), Ticket.status == "waiting")))
