"""Ratings after service (好差评): 1-5 and a comment, once per ticket, only once it is done.

The rating belongs to whoever served the ticket (their scorecard,
hall/scorecards.py). A rating of LOW or less is a 差评: it opens a follow-up
case for the supervisor (hall/cases.py). The customer rates on the rating pad
at the counter, which offers the ticket its counter has just finished, or on
the ticket's mobile status page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import cases, devices, masking, visits
from kiosk.hall.errors import Conflict
from kiosk.models import Counter, Rating, Ticket, User

LOW = 2
SOURCES = ("pad", "mobile")


def rate(
    s: Session, ticket: Ticket, rating: int, comment: str = "", *, source: str, at: datetime | None = None
) -> Rating:
    if ticket.status != "done":
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}: it is rated once it is done",
            code="not_done",
            details={"status": ticket.status},
        )
    if s.scalar(select(Rating.id).where(Rating.ticket_id == ticket.id)) is not None:
        raise Conflict(f"ticket {ticket.number} is already rated", code="already_rated")
    at = at or clock.now()
    found = Rating(
        ticket_id=ticket.id,
        visit_id=ticket.visit_id,
        counter_id=ticket.counter_id,
        served_by=ticket.served_by,
        rating=rating,
        comment=comment.strip(),
        source=source,
        created_at=at,
    )
    try:
        with s.begin_nested():  # the same ticket rated twice at once: one wins, the other is told
            s.add(found)
    except IntegrityError:
        raise Conflict(f"ticket {ticket.number} is already rated", code="already_rated") from None
    if ticket.visit_id:
        visits.record(
            s,
            visits.get_visit(s, ticket.visit_id),
            "rating",
            {"rating": rating, "ticket_id": ticket.id, "number": ticket.number, "source": source},
            at=at,
        )
    if rating <= LOW:
        cases.follow_up(s, ticket, found, at)
    return found


def awaiting(s: Session, counter_id: int, at: datetime | None = None) -> Ticket | None:
    """The ticket the counter's rating pad offers: the last it finished, lately, not yet rated."""
    since = (at or clock.now()) - devices.PAD_WINDOW
    last = s.scalars(
        select(Ticket)
        .where(Ticket.counter_id == counter_id, Ticket.status == "done", Ticket.finished_at >= since)
        .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
        .limit(1)
    ).first()
    if last is None or s.scalar(select(Rating.id).where(Rating.ticket_id == last.id)) is not None:
        return None
    return last


def for_ticket(s: Session, ticket_id: int) -> Rating | None:
    return s.scalars(select(Rating).where(Rating.ticket_id == ticket_id)).first()


def as_dict(s: Session, rating: Rating) -> dict[str, Any]:
    """For staff: the comment masked, who served and where."""
    server = s.get(User, rating.served_by) if rating.served_by else None
    counter = s.get(Counter, rating.counter_id) if rating.counter_id else None
    return {
        "id": rating.id,
        "ticket_id": rating.ticket_id,
        "rating": rating.rating,
        "comment": masking.text(rating.comment),
        "source": rating.source,
        "at": rating.created_at.isoformat(),
        "served_by": server.username if server else None,
        "counter": counter.name if counter else None,
    }
