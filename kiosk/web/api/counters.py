"""Counters: open, close, choose queues, and call the next ticket."""

from __future__ import annotations

from apiflask import APIBlueprint
from sqlalchemy import select

from kiosk.hall import audit, tickets
from kiosk.hall.errors import NotFound
from kiosk.models import Counter, Ticket
from kiosk.web.api.common import commit
from kiosk.web.api.schemas import CounterIn
from kiosk.web.api.tickets import ticket_body
from kiosk.web.auth import caller, require
from kiosk.web.database import db, hall

bp = APIBlueprint("counters", __name__, tag="Counters")


def counter_dict(c: Counter) -> dict:
    return {"id": c.id, "name": c.name, "queues": list(c.queues), "is_open": c.is_open}


@bp.get("/api/counters")
@require("counter", "guide", "supervisor")
def list_counters():
    return {"counters": [counter_dict(c) for c in db().scalars(select(Counter).order_by(Counter.id))]}


@bp.patch("/api/counters/<int:counter_id>")
@require("counter", "supervisor")
@bp.input(CounterIn, arg_name="body")
def update_counter(counter_id: int, body):
    s = db()
    counter = s.get(Counter, counter_id)
    if counter is None:
        raise NotFound(f"counter {counter_id} not found", code="counter_not_found")
    if "queues" in body:
        counter.queues = [hall().check_queue(q) for q in dict.fromkeys(body["queues"])]
    if "is_open" in body:
        counter.is_open = body["is_open"]
    audit.log(s, caller().label, "counter.update", f"counter:{counter_id}", **body)
    return commit(counter_dict(counter))


@bp.post("/api/counters/<int:counter_id>/call-next")
@require("counter", "supervisor")
def call_next(counter_id: int):
    ticket = tickets.call_next(db(), hall(), counter_id, by=caller().label)
    if ticket is None:
        db().rollback()
        return "", 204
    return commit(ticket_body(ticket))


@bp.get("/api/counters/<int:counter_id>/current")
@require("counter", "supervisor")
def current(counter_id: int):
    t = (
        db()
        .scalars(
            select(Ticket).where(Ticket.counter_id == counter_id, Ticket.status.in_(("called", "serving")))
        )
        .first()
    )
    return {"ticket": ticket_body(t) if t else None}
