"""The hall display's last calls of the day: numbers and counters only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall.context import Hall
from kiosk.models import Counter, Ticket


def recent(s: Session, hall: Hall, limit: int = 8, at: datetime | None = None) -> list[dict[str, Any]]:
    rows = s.execute(
        select(Ticket.number, Ticket.called_at, Counter.id, Counter.name)
        .join(Counter, Ticket.counter_id == Counter.id)
        .where(Ticket.service_day == hall.service_day(at or clock.now()), Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc())
        .limit(limit)
    ).all()
    return [
        {"number": n, "called_at": called.isoformat(), "counter_id": cid, "counter": name}
        for n, called, cid, name in rows
    ]
