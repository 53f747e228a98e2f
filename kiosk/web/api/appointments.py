"""Appointment slots, bookings, cancellation and check-in on arrival."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import request

from kiosk.hall import appointments, audit
from kiosk.web.api.common import commit, idempotent, origin, visit_for
from kiosk.web.api.schemas import AppointmentIn, CheckInIn, SlotsQuery
from kiosk.web.api.tickets import ticket_body
from kiosk.web.auth import caller, require
from kiosk.web.database import db, hall

bp = APIBlueprint("appointments", __name__, tag="Appointments")
# the kiosk books too: its call-back form offers a slot instead (static/kiosk/outcome.js)
BOOKERS = ("kiosk", "assistant", "guide", "supervisor")


@bp.get("/api/appointments/slots")
@require(*BOOKERS)
@bp.input(SlotsQuery, location="query", arg_name="query")
def slots(query):
    found = appointments.free_slots(db(), hall(), query["business_type"], days=query["days"])
    return {"slots": [appointments.slot_dict(slot) for slot in found]}


@bp.post("/api/appointments")
@require(*BOOKERS)
@idempotent
@bp.input(AppointmentIn, arg_name="body")
def book(body):
    visit = visit_for(body.get("visit_id"), body.get("session_id"))
    appt, created = appointments.book(
        db(),
        hall(),
        slot_id=body["slot_id"],
        business_type=body["business_type"],
        name=body["name"],
        phone=body["phone"],
        visit=visit,
    )
    return commit({**appointments.as_dict(appt), "duplicate": not created}, 201 if created else 200)


@bp.get("/api/appointments/<int:appointment_id>")
@require("guide", "supervisor")
def one(appointment_id: int):
    """The full phone number only for a supervisor who asks (?reveal=phone); that read is audited."""
    s = db()
    appt = appointments.get(s, appointment_id)
    who = caller()
    reveal = request.args.get("reveal") == "phone" and who.role in ("supervisor", "admin")
    if reveal:
        audit.log(s, who.name, "phone.reveal", f"appointment:{appt.id}")
        return commit(appointments.as_dict(appt, reveal_phone=True))
    return appointments.as_dict(appt)


@bp.post("/api/appointments/<int:appointment_id>/cancel")
@require("guide", "supervisor")
def cancel(appointment_id: int):
    s = db()
    appt = appointments.cancel(s, appointments.get(s, appointment_id))
    audit.log(s, caller().name, "appointment.cancel", f"appointment:{appt.id}")
    return commit(appointments.as_dict(appt))


@bp.post("/api/appointments/check-in")
@require("kiosk", "guide", "supervisor")
@bp.input(CheckInIn, arg_name="body")
def check_in(body):
    """The customer arrived with the code: a ticket ahead of walk-ins (issued at the kiosk that took it)."""
    s = db()
    _visit, kiosk = origin()
    ticket = appointments.check_in(s, hall(), appointments.by_code(s, body["code"]), device_id=kiosk)
    return commit(ticket_body(ticket), 201)
