"""Appointment slots with a capacity, bookings that never over-book, and check-in."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import callbacks, live, masking, tickets, validation, visits
from kiosk.hall.context import Hall
from kiosk.hall.errors import Conflict, Invalid, NotFound
from kiosk.hall.routing import BACK_OFFICE
from kiosk.hall.taxonomy import BusinessType, Taxonomy
from kiosk.models import Appointment, AppointmentSlot, Ticket, Visit

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def bookable(taxonomy: Taxonomy) -> list[BusinessType]:
    """The business types with appointment slots: those the back office or another department takes."""
    return [bt for bt in taxonomy.types.values() if bt.route in BACK_OFFICE]


def ensure_slots(s: Session, hall: Hall, plan: dict, start: datetime | None = None) -> int:
    """Create the timetable's slots for the coming days where they do not exist yet."""
    tz = ZoneInfo(hall.tz)
    today = clock.local(start or clock.now(), hall.tz).date()
    kinds = [bt.id for bt in bookable(hall.taxonomy)]
    horizon = datetime.combine(today + timedelta(days=plan.get("days_ahead", 7) + 1), time(), tz)
    existing = set(
        s.execute(
            select(AppointmentSlot.business_type, AppointmentSlot.start).where(
                AppointmentSlot.start >= datetime.combine(today, time(), tz), AppointmentSlot.start < horizon
            )
        ).all()
    )
    made = 0
    for offset in range(plan.get("days_ahead", 7) + 1):
        day = today + timedelta(days=offset)
        if day.isoweekday() not in plan.get("weekdays", [1, 2, 3, 4, 5]):
            continue
        for hhmm in plan.get("times", []):
            hh, mm = (int(x) for x in hhmm.split(":"))
            begin = datetime.combine(day, time(hh, mm), tz)
            for kind in kinds:
                if (kind, begin) not in existing:
                    s.add(
                        AppointmentSlot(
                            business_type=kind,
                            start=begin,
                            end=begin + timedelta(minutes=plan.get("minutes", 60)),
                            capacity=plan.get("capacity", 3),
                            booked=0,
                        )
                    )
                    made += 1
    return made


def free_slots(
    s: Session, hall: Hall, business_type: str, days: int = 3, at: datetime | None = None
) -> list[AppointmentSlot]:
    hall.business_type(business_type)
    at = at or clock.now()
    return list(
        s.scalars(
            select(AppointmentSlot)
            .where(
                AppointmentSlot.business_type == business_type,
                AppointmentSlot.start > at,
                AppointmentSlot.start < at + timedelta(days=days),
                AppointmentSlot.booked < AppointmentSlot.capacity,
            )
            .order_by(AppointmentSlot.start)
        )
    )


def book(
    s: Session,
    hall: Hall,
    *,
    slot_id: int,
    business_type: str,
    name: str,
    phone: str,
    visit: Visit | None = None,
    at: datetime | None = None,
) -> tuple[Appointment, bool]:
    """Book a place; returns (appointment, created). A repeat of the same booking is not a new one."""
    hall.business_type(business_type)
    phone = validation.mobile(phone)
    name = validation.person_name(name)
    at = at or clock.now()
    slot = s.get(AppointmentSlot, slot_id)
    if slot is None:
        raise Invalid(f"no appointment slot {slot_id}", code="unknown_slot")
    if slot.business_type != business_type:
        raise Invalid(f"slot {slot_id} is for {slot.business_type}", code="slot_mismatch")
    if slot.start <= at:
        raise Invalid("that slot has already begun", code="slot_in_past")
    existing = s.scalars(
        select(Appointment).where(
            Appointment.slot_id == slot_id, Appointment.phone == phone, Appointment.status == "booked"
        )
    ).first()
    if existing is not None:
        return existing, False
    # an UPDATE without RETURNING gives a CursorResult (SQLAlchemy types it as Result)
    taken = cast(
        "CursorResult[Any]",
        s.execute(
            update(AppointmentSlot)
            .where(AppointmentSlot.id == slot_id, AppointmentSlot.booked < AppointmentSlot.capacity)
            .values(booked=AppointmentSlot.booked + 1)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if taken != 1:
        raise Conflict("that slot is full", code="slot_full")
    s.refresh(slot)
    appt = Appointment(
        code="".join(secrets.choice(_CODE_ALPHABET) for _ in range(6)),
        slot_id=slot_id,
        business_type=business_type,
        name=name,
        phone=phone,
        status="booked",
        created_at=at,
        visit_id=visit.id if visit else None,
    )
    s.add(appt)
    s.flush()
    if visit is not None:
        # the customer chose a slot instead of waiting for the call-back
        callbacks.close_for_appointment(s, visit, business_type, appt.id)
        visits.record(
            s,
            visit,
            "appointment_booked",
            {
                "appointment_id": appt.id,
                "code": appt.code,
                "business_type": business_type,
                "slot_start": slot.start.isoformat(),
                "phone": masking.phone(phone),
            },
            at=at,
        )
    live.publish(
        s,
        "guide",
        "appointment",
        {"id": appt.id, "business_type": business_type, "slot_start": slot.start.isoformat()},
    )
    return appt, True


def get(s: Session, appointment_id: int) -> Appointment:
    appt = s.get(Appointment, appointment_id)
    if appt is None:
        raise NotFound(f"appointment {appointment_id} not found", code="appointment_not_found")
    return appt


def by_code(s: Session, code: str) -> Appointment:
    appt = s.scalars(select(Appointment).where(Appointment.code == code.strip().upper())).first()
    if appt is None:
        raise NotFound("no appointment with that code", code="appointment_not_found")
    return appt


def cancel(s: Session, appt: Appointment, at: datetime | None = None) -> Appointment:
    if appt.status == "cancelled":
        return appt
    if appt.status != "booked":
        raise Conflict(f"appointment is {appt.status}", code="bad_transition")
    appt.status, appt.cancelled_at = "cancelled", at or clock.now()
    s.execute(
        update(AppointmentSlot)
        .where(AppointmentSlot.id == appt.slot_id, AppointmentSlot.booked > 0)
        .values(booked=AppointmentSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )
    return appt


def check_in(
    s: Session, hall: Hall, appt: Appointment, at: datetime | None = None, device_id: str | None = None
) -> Ticket:
    """The customer arrived: the appointment becomes a ticket, served by its slot time."""
    if appt.status == "checked_in" and appt.ticket_id:
        return tickets.get(s, appt.ticket_id)
    if appt.status != "booked":
        raise Conflict(f"appointment is {appt.status}", code="bad_transition")
    at = at or clock.now()
    visit = s.get(Visit, appt.visit_id) if appt.visit_id else None
    ticket = tickets.issue(
        s, hall, appt.business_type, visit=visit, appointment_id=appt.id, at=at, device_id=device_id
    )
    appt.status, appt.checked_in_at, appt.ticket_id = "checked_in", at, ticket.id
    return ticket


def slot_dict(slot: AppointmentSlot) -> dict:
    return {
        "id": slot.id,
        "business_type": slot.business_type,
        "desk": slot.desk,
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat(),
        "capacity": slot.capacity,
        "booked": slot.booked,
        "free": slot.capacity - slot.booked,
    }


def as_dict(appt: Appointment, reveal_phone: bool = False) -> dict:
    return {
        "id": appt.id,
        "code": appt.code,
        "business_type": appt.business_type,
        "name": masking.text(appt.name),
        "status": appt.status,
        "slot": slot_dict(appt.slot),
        "phone": appt.phone if reveal_phone else masking.phone(appt.phone),
        "phone_masked": masking.phone(appt.phone),
        "ticket_id": appt.ticket_id,
        "visit_id": appt.visit_id,
        "created_at": appt.created_at.isoformat(),
    }
