"""What the kiosk's printer gave a customer: a ticket or a booking's slip once per visit (a reprint is staff's), and what
the slip says besides the ticket itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.hall import tickets, visits
from kiosk.hall.context import Hall
from kiosk.hall.errors import Conflict
from kiosk.models import Appointment, Ticket, Visit, VisitEvent


def _printed(s: Session, visit: Visit, kind: str, record_id: int) -> bool:
    events = s.scalars(
        select(VisitEvent).where(VisitEvent.visit_id == visit.id, VisitEvent.kind == f"{kind}_printed")
    )
    return any(e.data.get(f"{kind}_id") == record_id for e in events)


def ticket_visit(s: Session, ticket: Ticket, *, reprint: bool = False) -> Visit | None:
    """The ticket's visit; Conflict (already_printed) when its slip came out already and this is no reprint."""
    visit = s.get(Visit, ticket.visit_id) if ticket.visit_id else None
    if visit is not None and not reprint and _printed(s, visit, "ticket", ticket.id):
        raise Conflict(f"ticket {ticket.number} is already printed", code="already_printed")
    return visit


def check_appointment_unprinted(s: Session, appt: Appointment, visit: Visit) -> None:
    if _printed(s, visit, "appointment", appt.id):
        raise Conflict(f"appointment {appt.code} is already printed", code="already_printed")


def record(s: Session, visit_id: int, kind: str, record_id: int, **data: Any) -> None:
    """The slip came out: the visit's timeline says so, and the kiosk will not print it again."""
    visits.record(s, visits.get_visit(s, visit_id), f"{kind}_printed", {f"{kind}_id": record_id, **data})


def ticket_slip(s: Session, hall: Hall, ticket: Ticket, lang: str) -> dict[str, Any]:
    """The slip's words around the ticket: the business, the queue, the materials to bring, in `lang`."""
    return {
        "materials": tickets.as_dict(s, hall, ticket, language=lang)["materials"],
        "business_name": hall.type_name(ticket.business_type, lang),
        "queue_name": hall.queue_name(ticket.queue, lang),
    }
