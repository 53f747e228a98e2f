"""The kiosk's printer: a ticket's slip, a booking's slip. The printer is waited on outside any transaction."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, String
from apiflask.validators import Length
from flask import current_app

from kiosk import clock, printing
from kiosk.hall import appointments, devices, printouts
from kiosk.hall.errors import Forbidden, HallError
from kiosk.i18n import language
from kiosk.models import Visit
from kiosk.web import admission
from kiosk.web.api import answers
from kiosk.web.api import appointments as appointments_api
from kiosk.web.api import tickets as tickets_api
from kiosk.web.api.common import commit
from kiosk.web.auth import require, scope, staff_only
from kiosk.web.database import db, end_transaction, hall

bp = APIBlueprint("printing", __name__, tag="Printing")


class PrinterUnavailable(HallError):
    status = 503
    code = "printer_unavailable"


class PrintQuery(Schema):
    reprint = Boolean(load_default=False)  # staff: print it again
    lang = String(validate=Length(0, 16))  # the slip's language; the ticket's own by default


def _send(what: str, send) -> int:
    """Run the printer call holding no database lock, nor a request slot (admission.outside)."""
    end_transaction()
    try:
        with admission.outside():
            return send()
    except printing.PrinterError as exc:
        current_app.logger.warning("%s not printed: %s", what, exc)
        raise PrinterUnavailable(str(exc)) from None


@bp.post("/api/kiosk/tickets/<int:ticket_id>/print")
@bp.output(answers.TicketPrinted, status_code=201)
@require("kiosk", "guide", "counter", "supervisor")
@bp.input(PrintQuery, location="query", arg_name="query")
def print_ticket(ticket_id: int, query):
    """Print the ticket on the kiosk's printer, once; `?reprint=1` (staff) prints it again."""
    s, h = db(), hall()
    if query["reprint"]:
        staff_only("a reprint")
    ticket = tickets_api.own_ticket(ticket_id)
    visit = printouts.ticket_visit(s, ticket, reprint=query["reprint"])
    lang = language(query.get("lang") or ticket.language)
    slip = printouts.ticket_slip(s, h, ticket, lang)
    body = {**tickets_api.ticket_body(ticket), "materials": slip["materials"]}
    spec = current_app.extensions["settings"].printer
    number, visit_id = ticket.number, visit.id if visit else None
    size = _send(
        f"ticket {number}",
        lambda: printing.print_ticket(
            body, spec, lang=lang, business_name=slip["business_name"], queue_name=slip["queue_name"]
        ),
    )
    if visit_id is not None:
        printouts.record(db(), visit_id, "ticket", ticket_id, number=number)
    return commit({"ticket_id": ticket_id, "number": number, "printed": True, "bytes": size}, 201)


@bp.post("/api/kiosk/appointments/<int:appointment_id>/print")
@bp.output(answers.AppointmentPrinted, status_code=201)
@require("kiosk", "guide", "supervisor")
def print_appointment(appointment_id: int):
    """Print the customer's copy of a booking on the kiosk's printer, once for a kiosk."""
    s, h = db(), hall()
    appt = appointments.get(s, appointment_id)
    device = scope()
    visit = s.get(Visit, appt.visit_id) if appt.visit_id else None
    if device is not None:
        if visit is None:
            raise Forbidden("a kiosk prints the bookings of its own visits", code="out_of_scope")
        devices.check_visit(device, visit)
        printouts.check_appointment_unprinted(s, appt, visit)
    lang = appt.language
    data = printing.render_appointment(
        appointments_api.booking_body(appt),
        lang=lang,
        business_name=h.type_name(appt.business_type, lang),
        when=clock.local(appt.slot.start, h.tz).strftime("%Y-%m-%d %H:%M"),
    )
    spec = current_app.extensions["settings"].printer
    visit_id = visit.id if visit else None

    def send() -> int:
        printing.send(data, spec)
        return len(data)

    _send(f"appointment {appointment_id}", send)
    if visit_id is not None:
        printouts.record(db(), visit_id, "appointment", appointment_id)
    return commit({"appointment_id": appointment_id, "printed": True, "bytes": len(data)}, 201)
