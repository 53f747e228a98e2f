"""Counters: a named person signs in at a counter, which opens it under their name, and signs out.

The tickets a counter calls are served by the person signed in there; with
nobody signed in, by whoever called them (a supervisor working a counter).
One person is signed in at one counter at a time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import audit, live
from kiosk.hall.context import Hall
from kiosk.hall.errors import Conflict, Forbidden, NotFound
from kiosk.models import Counter, Ticket, User


def get(s: Session, counter_id: int) -> Counter:
    counter = s.get(Counter, counter_id)
    if counter is None:
        raise NotFound(f"counter {counter_id} not found", code="counter_not_found")
    return counter


def every(s: Session) -> list[Counter]:
    return list(s.scalars(select(Counter).order_by(Counter.id)))


def update(
    s: Session,
    hall: Hall,
    counter: Counter,
    *,
    by: str,
    queues: list[str] | None = None,
    is_open: bool | None = None,
) -> Counter:
    """Choose the queues a counter calls from (each once, in order) and open or close it; audited."""
    changes: dict[str, Any] = {}
    if queues is not None:
        counter.queues = [hall.check_queue(q) for q in dict.fromkeys(queues)]
        changes["queues"] = queues
    if is_open is not None:
        counter.is_open = changes["is_open"] = is_open
    audit.log(s, by, "counter.update", f"counter:{counter.id}", **changes)
    return counter


def current(s: Session, counter_id: int) -> Ticket | None:
    """The ticket the counter has called or is serving."""
    return s.scalars(
        select(Ticket).where(Ticket.counter_id == counter_id, Ticket.status.in_(("called", "serving")))
    ).first()


def server(counter: Counter, caller_id: int | None) -> int | None:
    """Who serves the tickets this counter calls now."""
    return counter.staff_id or caller_id


def sign_in(s: Session, counter: Counter, user: User, at: datetime | None = None) -> Counter:
    """`user` takes the counter and opens it; they leave any other counter they were signed in at."""
    at = at or clock.now()
    if counter.staff_id not in (None, user.id):
        someone = s.get(User, counter.staff_id)
        raise Conflict(
            f"{someone.username if someone else 'someone'} is signed in at {counter.name}",
            code="counter_taken",
            details={"staff": someone.username if someone else None},
        )
    for other in s.scalars(select(Counter).where(Counter.staff_id == user.id, Counter.id != counter.id)):
        sign_out(s, other, user.username, at)
    if counter.staff_id is None:
        counter.staff_id, counter.signed_in_at = user.id, at
        audit.log(s, user.username, "counter.sign_in", f"counter:{counter.id}", at=at, counter=counter.name)
    counter.is_open = True
    live.publish(s, "display", "queues", {"counter_id": counter.id})
    return counter


def sign_out(
    s: Session, counter: Counter, by: str, at: datetime | None = None, *, only_self: int | None = None
) -> Counter:
    """The person leaves and the counter closes; refused while it still has a customer. `only_self`: the
    caller's account, when they may sign out only themselves (a counter account; a supervisor signs anyone out)."""
    if only_self is not None and counter.staff_id not in (None, only_self):
        raise Forbidden(f"someone else is signed in at {counter.name}", code="not_signed_in_here")
    busy = current(s, counter.id)
    if busy is not None:
        raise Conflict(f"{counter.name} still has {busy.number}; finish it first", code="counter_busy")
    _leave(s, counter, by, at or clock.now())
    return counter


def _leave(s: Session, counter: Counter, by: str, at: datetime) -> None:
    if counter.staff_id is not None:
        audit.log(s, by, "counter.sign_out", f"counter:{counter.id}", at=at, counter=counter.name)
    counter.staff_id, counter.signed_in_at, counter.is_open = None, None, False
    live.publish(s, "display", "queues", {"counter_id": counter.id})


def as_dict(s: Session, counter: Counter) -> dict[str, Any]:
    staff = s.get(User, counter.staff_id) if counter.staff_id else None
    return {
        "id": counter.id,
        "name": counter.name,
        "queues": list(counter.queues),
        "is_open": counter.is_open,
        "signed_in": {
            "id": staff.id,
            "name": staff.username,
            "at": counter.signed_in_at.isoformat() if counter.signed_in_at else None,
        }
        if staff
        else None,
    }
