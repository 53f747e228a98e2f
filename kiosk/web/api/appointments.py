"""Appointment slots, bookings, the desks' day list, cancellation, the customer's booking by its link, check-in."""

from __future__ import annotations

from datetime import date

from apiflask import APIBlueprint
from flask import request

from kiosk import clock
from kiosk.hall import appointments, audit, duty
from kiosk.hall.errors import Forbidden, Invalid
from kiosk.i18n import language
from kiosk.web import links
from kiosk.web.api import answers
from kiosk.web.api.common import commit, idempotent, origin, visit_for
from kiosk.web.api.schemas import AppointmentIn, CheckInIn, DayQuery, SlotsQuery
from kiosk.web.api.tickets import ticket_body
from kiosk.web.auth import caller, public, require
from kiosk.web.database import db, hall

bp = APIBlueprint("appointments", __name__, tag="Appointments")
# the kiosk books too: its call-back form offers a slot instead (static/kiosk/outcome.js)
BOOKERS = ("kiosk", "assistant", "guide", "supervisor")


def by_link(token: str):
    return appointments.get(db(), links.record_id("appointment", token))


def booking_body(appt) -> dict:
    """What the booker gets: the booking, where to go, what to bring, the customer's link."""
    lang = appt.language
    bt = hall().business_type(appt.business_type)
    return {
        **appointments.as_dict(appt),
        "place": appointments.place(appt, lang),
        "materials": list(bt.materials_zh if lang == "zh" else bt.materials_en),
        "status_url": links.url("appointment", appt.id),
    }


@bp.get("/api/appointments/slots")
@bp.output(answers.Slots)
@require(*BOOKERS)
@bp.input(SlotsQuery, location="query", arg_name="query")
def slots(query):
    found = appointments.free_slots(db(), hall(), query["business_type"], days=query["days"])
    return {"slots": [appointments.slot_dict(slot) for slot in found]}


@bp.post("/api/appointments")
@bp.output(answers.Booking, status_code=201)
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
        language=body["language"],
        by=None if caller().device else caller().name,
    )
    return commit({**booking_body(appt), "duplicate": not created}, 201 if created else 200)


@bp.get("/api/appointments")
@bp.output(answers.DayList)
@require("backoffice", "supervisor")
@bp.input(DayQuery, location="query", arg_name="query")
def day_list(query):
    """One day's appointments: a desk sees its own business types, a supervisor every one."""
    s, h = db(), hall()
    try:
        day = date.fromisoformat(query["date"]) if query.get("date") else h.service_day(clock.now())
    except ValueError:
        raise Invalid("date is YYYY-MM-DD", code="bad_date") from None
    kinds = (
        None if caller().role in ("supervisor", "admin") else duty.of_user(s, caller().user_id).business_types
    )
    wanted = query.get("business_type")
    if wanted:
        h.business_type(wanted)
        if kinds is not None and wanted not in kinds:
            raise Forbidden("that business is another desk's", code="out_of_scope")
        kinds = [wanted]
    rows = appointments.day_list(s, h, day, kinds)
    return {"date": day.isoformat(), "appointments": [appointments.entry(h, a) for a in rows]}


@bp.get("/api/appointments/<int:appointment_id>")
@bp.output(answers.Appointment)
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
@bp.output(answers.Appointment)
@require("guide", "supervisor")
def cancel(appointment_id: int):
    s = db()
    appt = appointments.cancel(s, hall(), appointments.get(s, appointment_id))
    audit.log(s, caller().name, "appointment.cancel", f"appointment:{appt.id}")
    return commit(appointments.as_dict(appt))


@bp.get("/api/appointments/status/<token>")
@bp.output(answers.Booking)
@public
def public_status(token: str):
    """The customer's page reads its booking (no login; the link is signed)."""
    return booking_body(by_link(token))


@bp.post("/api/appointments/check-in")
@bp.output(answers.CheckIn, status_code=201)
@require("kiosk", "assistant", "guide", "supervisor")
@idempotent
@bp.input(CheckInIn, arg_name="body")
def check_in(body):
    """The customer arrived with the code or their phone: a ticket, ahead of walk-ins within the window,
    issued at the kiosk where they stand (its visit, when the call names its dialog session)."""
    s, h = db(), hall()
    lang = language(body["language"])
    visit, kiosk = origin(session_id=body.get("session_id"))
    appt = (
        appointments.by_code(s, body["code"], lang)
        if body.get("code")
        else appointments.by_phone(s, h, body["phone"], language=lang)
    )
    done = appointments.check_in(s, h, appt, device_id=kiosk, language=lang, visit=visit)
    return commit(
        lambda: {
            **ticket_body(done.ticket),
            "in_window": done.in_window,
            "message": done.message,
            "appointment": appointments.as_dict(appt),
        },
        201,
    )
