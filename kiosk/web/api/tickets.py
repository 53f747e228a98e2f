"""Queue tickets: issue, look up, follow on a phone, move along their life, rate, and the queues."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk import clock
from kiosk.hall import devices, ratings, tickets, waits
from kiosk.hall.errors import Forbidden, Invalid
from kiosk.models import Ticket
from kiosk.web import links
from kiosk.web.api import answers
from kiosk.web.api.common import commit, idempotent, origin
from kiosk.web.api.schemas import TicketIn, TicketRatingIn, TransferIn
from kiosk.web.auth import caller, public, require, scope, staff_only
from kiosk.web.bounds import MAX_ID, query_int
from kiosk.web.database import db, hall

bp = APIBlueprint("tickets", __name__, tag="Tickets")
STAFF = ("guide", "counter", "supervisor")
# a priority ticket (绿色通道) is a guide's, for an elderly, disabled or pregnant customer
PRIORITY_ISSUERS = ("guide", "supervisor", "admin")


def ticket_body(ticket) -> dict:
    return {**tickets.as_dict(db(), hall(), ticket), "status_url": links.url("ticket", ticket.id)}


def own_ticket(ticket_id: int) -> Ticket:
    """A ticket the caller may act on: any for staff, a kiosk's own recent ones for a kiosk."""
    ticket = tickets.get(db(), ticket_id)
    device = scope()
    if device is not None:
        devices.check_ticket(device, ticket)
    return ticket


@bp.post("/api/tickets")
@bp.output(answers.Ticket, status_code=201)
@require("kiosk", "assistant", *STAFF)
@idempotent
@bp.input(TicketIn, arg_name="body")
def issue(body):
    visit, kiosk = origin(body.get("visit_id"), body.get("session_id"))
    if body["priority"]:
        staff_only("a priority ticket")
        who = caller()
        if who.role not in PRIORITY_ISSUERS:
            raise Forbidden("a priority ticket is issued by a guide", code="staff_only")
        if not body.get("priority_reason"):
            raise Invalid("say why the customer goes first", code="priority_reason_required")
        ticket = tickets.issue_priority(
            db(),
            hall(),
            body["business_type"],
            body["priority_reason"],
            actor=who.name,
            visit=visit,
            language=body["language"],
        )
    else:
        ticket = tickets.issue(
            db(), hall(), body["business_type"], visit=visit, language=body["language"], device_id=kiosk
        )
    return commit(lambda: ticket_body(ticket), 201)


@bp.get("/api/tickets/<int:ticket_id>")
@bp.output(answers.Ticket)
@require("kiosk", *STAFF)
def one(ticket_id: int):
    return ticket_body(own_ticket(ticket_id))


def _linked(token: str) -> Ticket:
    """The ticket a status link (its QR code) names."""
    return tickets.get(db(), links.record_id("ticket", token))


@bp.get("/api/tickets/status/<token>")
@bp.output(answers.TicketStatus)
@public
def public_status(token: str):
    """What the customer's phone shows after scanning the ticket's QR code (no login)."""
    t = _linked(token)
    full = tickets.as_dict(db(), hall(), t)
    keep = (
        "number",
        "queue",
        "business_type",
        "status",
        "position",
        "estimated_wait_min",
        "counter",
        "materials",
        "issued_at",
        "called_at",
        "language",
    )
    return {**{k: full[k] for k in keep}, "rated": ratings.for_ticket(db(), t.id) is not None}


@bp.post("/api/tickets/status/<token>/rating")
@public
@bp.output(answers.RatedByLink, status_code=201)
@bp.input(TicketRatingIn, arg_name="body")
def rate_by_link(token: str, body):
    """The customer rates the service on their phone (the status link is their credential)."""
    ticket = _linked(token)
    ratings.rate(db(), ticket, body["rating"], body["comment"], source="mobile")
    return commit({"rating": body["rating"]}, 201)


@bp.post("/api/tickets/<int:ticket_id>/rating")
@bp.output(answers.TicketRated, status_code=201)
@require("rating-pad")
@bp.input(TicketRatingIn, arg_name="body")
def rate(ticket_id: int, body):
    """The customer rates the service on the counter's rating pad: 409 before it is done, and once."""
    ticket = tickets.get(db(), ticket_id)
    device = scope()
    if device is not None:
        devices.check_rating(device, ticket)
    found = ratings.rate(db(), ticket, body["rating"], body["comment"], source="pad")
    return commit({"id": found.id, "ticket_id": ticket.id, "rating": found.rating}, 201)


@bp.get("/api/queues")
@bp.output(answers.Queues)
@public
def queues():
    s, h = db(), hall()
    day = h.service_day(clock.now())
    out = []
    for q, names in h.taxonomy.queues.items():
        by_type = waits.waiting_by_type(s, day, q)
        out.append(
            {
                "queue": q,
                "zh": names["zh"],
                "en": names["en"],
                "waiting": sum(by_type.values()),
                "estimated_wait_min": waits.minutes_for(s, h, q, by_type),
                "open_counters": waits.open_counters(s, q),
            }
        )
    return {"queues": out}


def _move(ticket_id: int, status: str):
    ticket = own_ticket(ticket_id)
    counter_id = query_int("counter_id", None, 1, MAX_ID)
    tickets.transition(db(), ticket, status, counter_id=counter_id, by=caller().label)
    return commit(ticket_body(ticket))


@bp.post("/api/tickets/<int:ticket_id>/serve")
@bp.output(answers.Ticket)
@require("counter", "supervisor")
def serve(ticket_id: int):
    return _move(ticket_id, "serving")


@bp.post("/api/tickets/<int:ticket_id>/done")
@bp.output(answers.Ticket)
@require("counter", "supervisor")
def done(ticket_id: int):
    return _move(ticket_id, "done")


@bp.post("/api/tickets/<int:ticket_id>/no-show")
@bp.output(answers.Ticket)
@require("counter", "supervisor")
def no_show(ticket_id: int):
    return _move(ticket_id, "no_show")


@bp.post("/api/tickets/<int:ticket_id>/recall")
@bp.output(answers.Ticket)
@require("counter", "supervisor")
def recall(ticket_id: int):
    return _move(ticket_id, "called")


@bp.post("/api/tickets/<int:ticket_id>/cancel")
@bp.output(answers.Ticket)
@require("kiosk", *STAFF)
def cancel(ticket_id: int):
    """Staff cancel any ticket; a kiosk only one it has just issued (the customer changed their mind)."""
    return _move(ticket_id, "cancelled")


@bp.post("/api/tickets/<int:ticket_id>/transfer")
@bp.output(answers.Ticket)
@require(*STAFF)
@bp.input(TransferIn, arg_name="body")
def transfer(ticket_id: int, body):
    s, h = db(), hall()
    queue = body.get("queue") or (
        h.business_type(body["business_type"]).queue if body.get("business_type") else None
    )
    if queue is None:
        raise Invalid("name the queue or the business type to transfer to", code="missing_target")
    ticket = tickets.transfer(
        s, h, tickets.get(s, ticket_id), queue, business_type=body.get("business_type"), by=caller().label
    )
    return commit(ticket_body(ticket))
