"""Counters: sign in and out, open, close, choose queues, call the next ticket; what the rating pad offers."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk.hall import counters, devices, ratings, tickets
from kiosk.web.api import answers
from kiosk.web.api.common import commit
from kiosk.web.api.schemas import CounterIn
from kiosk.web.api.tickets import ticket_body
from kiosk.web.auth import caller, require, scope, staff_user
from kiosk.web.database import db, hall

bp = APIBlueprint("counters", __name__, tag="Counters")


@bp.get("/api/counters")
@bp.output(answers.Counters)
@require("counter", "guide", "supervisor")
def list_counters():
    s = db()
    return {"counters": [counters.as_dict(s, c) for c in counters.every(s)]}


@bp.patch("/api/counters/<int:counter_id>")
@bp.output(answers.Counter)
@require("counter", "supervisor")
@bp.input(CounterIn, arg_name="body")
def update_counter(counter_id: int, body):
    s = db()
    counter = counters.update(s, hall(), counters.get(s, counter_id), by=caller().label, **body)
    return commit(counters.as_dict(s, counter))


@bp.post("/api/counters/<int:counter_id>/sign-in")
@bp.output(answers.Counter)
@require("counter", "supervisor")
def sign_in(counter_id: int):
    """The caller takes the counter under their name and opens it (409 counter_taken if someone has it)."""
    s = db()
    counter = counters.sign_in(s, counters.get(s, counter_id), staff_user())
    return commit(counters.as_dict(s, counter))


@bp.post("/api/counters/<int:counter_id>/sign-out")
@bp.output(answers.Counter)
@require("counter", "supervisor")
def sign_out(counter_id: int):
    """The person signed in leaves and the counter closes; a supervisor may sign anyone out."""
    s, who = db(), caller()
    only_self = who.user_id if who.role == "counter" else None
    counter = counters.sign_out(s, counters.get(s, counter_id), who.label, only_self=only_self)
    return commit(counters.as_dict(s, counter))


@bp.post("/api/counters/<int:counter_id>/call-next")
@bp.output(answers.Ticket)
@require("counter", "supervisor")
def call_next(counter_id: int):
    who = caller()
    ticket = tickets.call_next(db(), hall(), counter_id, by=who.label, caller_id=who.user_id)
    if ticket is None:
        db().rollback()
        return "", 204
    return commit(ticket_body(ticket))


@bp.get("/api/counters/<int:counter_id>/current")
@bp.output(answers.CurrentTicket)
@require("counter", "supervisor")
def current(counter_id: int):
    t = counters.current(db(), counter_id)
    return {"ticket": ticket_body(t) if t else None}


@bp.get("/api/counters/<int:counter_id>/to-rate")
@bp.output(answers.ToRate)
@require("rating-pad", "counter", "supervisor")
def to_rate(counter_id: int):
    """The ticket the counter's rating pad offers the customer now: its last, just finished, unrated."""
    s = db()
    counter = counters.get(s, counter_id)
    device = scope()
    if device is not None:
        devices.check_counter(device, counter_id)
    ticket = ratings.awaiting(s, counter_id)
    return {
        "counter": {"id": counter.id, "name": counter.name},
        "ticket": {
            "id": ticket.id,
            "number": ticket.number,
            "business_type": ticket.business_type,
            "finished_at": ticket.finished_at.isoformat() if ticket.finished_at else None,
            "language": ticket.language,
        }
        if ticket
        else None,
    }
