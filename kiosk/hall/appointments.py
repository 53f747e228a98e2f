"""Bookings that never over-book, their messages, check-in within a window, no-shows, the desks' day list."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import callbacks, duty, live, masking, notifications, tickets, validation, visits
from kiosk.hall.context import Hall
from kiosk.hall.errors import Conflict, Invalid, NotFound
from kiosk.hall.handovers import desk_channel
from kiosk.hall.routing import BACK_OFFICE
from kiosk.hall.taxonomy import BusinessType, Taxonomy
from kiosk.i18n import t
from kiosk.models import Appointment, AppointmentSlot, Notification, Ticket, Visit

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def bookable(taxonomy: Taxonomy) -> list[BusinessType]:
    """The business types with appointment slots: those the back office or another department takes."""
    return [bt for bt in taxonomy.types.values() if bt.route in BACK_OFFICE]


def free_slots(
    s: Session, hall: Hall, business_type: str, days: int = 3, at: datetime | None = None
) -> list[AppointmentSlot]:
    """Slots with room from now to the end of the `days`-th day (today is the first), up to the timetable's."""
    hall.business_type(business_type)
    most = hall.timetable.days_ahead if hall.timetable else 0
    if days > most:
        raise Invalid(
            f"slots are offered for at most {most} days", code="too_many_days", details={"max": most}
        )
    at = at or clock.now()
    until = datetime.combine(hall.service_day(at) + timedelta(days=days), time(), ZoneInfo(hall.tz))
    return list(
        s.scalars(
            select(AppointmentSlot)
            .where(
                AppointmentSlot.business_type == business_type,
                AppointmentSlot.start > at,
                AppointmentSlot.start < until,
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
    language: str = "zh",
    at: datetime | None = None,
    by: str | None = None,
) -> tuple[Appointment, bool]:
    """Book a place; returns (appointment, created). A repeat of the same booking is not a new one.

    `by`: the staff member booking for the customer in front of them; without a visit, the booking
    opens one, so a guide's booking has its timeline like the kiosk's.
    """
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
    if visit is None and by is not None:
        visit = visits.open_visit(s, at=at, language=language)
    appt = Appointment(
        code="".join(secrets.choice(_CODE_ALPHABET) for _ in range(6)),
        slot_id=slot_id,
        business_type=business_type,
        name=name,
        phone=phone,
        status="booked",
        created_at=at,
        visit_id=visit.id if visit else None,
        language=language,
    )
    s.add(appt)
    s.flush()
    notifications.queue(s, appt, "confirmation", message(hall, appt, "confirmation"), at=at)
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
                **({"by": by} if by else {}),
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


def by_code(s: Session, code: str, language: str = "zh") -> Appointment:
    appt = s.scalars(select(Appointment).where(Appointment.code == code.strip().upper())).first()
    if appt is None:
        raise NotFound(t("appointments.checkin.not_found", language), code="appointment_not_found")
    return appt


def by_phone(
    s: Session, hall: Hall, phone: str, at: datetime | None = None, language: str = "zh"
) -> Appointment:
    """Today's appointment of this mobile number that is still to check in (the earliest)."""
    phone = validation.mobile(phone)
    at = at or clock.now()
    day_start, day_end = _day_bounds(hall, hall.service_day(at))
    appt = s.scalars(
        select(Appointment)
        .join(AppointmentSlot)
        .where(
            Appointment.phone == phone,
            Appointment.status.in_(("booked", "no_show")),
            AppointmentSlot.start >= day_start,
            AppointmentSlot.start < day_end,
        )
        .order_by(AppointmentSlot.start)
    ).first()
    if appt is None:
        raise NotFound(t("appointments.checkin.not_found", language), code="appointment_not_found")
    return appt


def cancel(s: Session, hall: Hall, appt: Appointment, at: datetime | None = None) -> Appointment:
    """Frees the place and tells the customer; cancelling twice is one cancellation."""
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
    notifications.queue(s, appt, "cancellation", message(hall, appt, "cancellation"), at=at)
    _tell_desks(s, appt)
    return appt


def window(hall: Hall, appt: Appointment) -> tuple[datetime, datetime]:
    """When a check-in is served ahead of walk-ins; after its end the appointment is a no-show."""
    table = hall.timetable
    early, late = (table.early_min, table.late_min) if table else (30, 15)
    return appt.slot.start - timedelta(minutes=early), appt.slot.start + timedelta(minutes=late)


@dataclass(frozen=True)
class CheckIn:
    ticket: Ticket
    # False: past its window, the customer got an ordinary ticket
    in_window: bool
    message: str


def check_in(
    s: Session,
    hall: Hall,
    appt: Appointment,
    at: datetime | None = None,
    device_id: str | None = None,
    language: str = "zh",
    visit: Visit | None = None,
) -> CheckIn:
    """The customer arrived: within the window a ticket ahead of walk-ins, later an ordinary one.

    Refused with a message the customer reads: checked in already, cancelled, another day, too early.
    """
    at = at or clock.now()
    opens, closes = window(hall, appt)
    when = _local(hall, appt.slot.start)
    if appt.status == "checked_in":
        raise Conflict(t("appointments.checkin.already", language, time=when), code="already_checked_in")
    if appt.status == "cancelled":
        raise Conflict(t("appointments.checkin.cancelled", language, time=when), code="appointment_cancelled")
    if hall.service_day(appt.slot.start) != hall.service_day(at):
        raise Conflict(
            t("appointments.checkin.other_day", language, time=when),
            code="other_day",
            details={"slot_start": appt.slot.start.isoformat()},
        )
    if at < opens:
        raise Conflict(
            t("appointments.checkin.too_early", language, time=when, opens=_local(hall, opens, "%H:%M")),
            code="too_early",
            details={"opens": opens.isoformat()},
        )
    in_window = at <= closes and appt.status == "booked"
    # the visit where the customer stands now, else the one they booked in
    visit = visit or (s.get(Visit, appt.visit_id) if appt.visit_id else None)
    ticket = tickets.issue(
        s,
        hall,
        appt.business_type,
        visit=visit,
        appointment_id=appt.id if in_window else None,
        at=at,
        device_id=device_id,
        language=language,
    )
    appt.status, appt.checked_in_at, appt.ticket_id = "checked_in", at, ticket.id
    if visit is not None:
        visits.record(
            s, visit, "appointment_checked_in", {"appointment_id": appt.id, "in_window": in_window}, at=at
        )
    _tell_desks(s, appt)
    key = "appointments.checkin.ahead" if in_window else "appointments.checkin.late"
    return CheckIn(ticket, in_window, t(key, language, time=when, number=ticket.number))


# a hall back after days off has a backlog: the job's next passes take the rest, and no pass holds
# SQLite's writer lock for seconds
NO_SHOWS_PER_PASS = 200


def mark_no_shows(s: Session, hall: Hall, at: datetime | None = None) -> int:
    """Booked appointments whose check-in window has closed become no-shows (safe in several workers)."""
    at = at or clock.now()
    late = timedelta(minutes=hall.timetable.late_min if hall.timetable else 15)
    missed = select(AppointmentSlot.id).where(AppointmentSlot.start < at - late)
    gone = s.scalars(
        select(Appointment)
        .where(Appointment.status == "booked", Appointment.slot_id.in_(missed))
        .order_by(Appointment.id)
        .limit(NO_SHOWS_PER_PASS)
    ).all()
    marked = 0
    for appt in gone:
        done = cast(
            "CursorResult[Any]",
            s.execute(
                update(Appointment)
                .where(Appointment.id == appt.id, Appointment.status == "booked")
                .values(status="no_show")
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if done == 1:
            s.refresh(appt)
            _tell_desks(s, appt)
            marked += 1
    return marked


def queue_reminders(s: Session, hall: Hall, at: datetime | None = None) -> int:
    """Reminders due now (reminder_hours before the slot), for bookings made before that time."""
    hours = hall.timetable.reminder_hours if hall.timetable else 0
    if not hours:
        return 0
    at = at or clock.now()
    ahead = timedelta(hours=hours)
    reminded = select(Notification.appointment_id).where(Notification.kind == "reminder")
    due = s.scalars(
        select(Appointment)
        .join(AppointmentSlot)
        .where(
            Appointment.status == "booked",
            AppointmentSlot.start > at,
            AppointmentSlot.start <= at + ahead,
            Appointment.id.not_in(reminded),
        )
    ).all()
    return sum(
        notifications.queue(s, appt, "reminder", message(hall, appt, "reminder"), at=at)
        for appt in due
        if appt.created_at < appt.slot.start - ahead
    )


def day_list(s: Session, hall: Hall, day: date, business_types: list[str] | None = None) -> list[Appointment]:
    """One day's appointments in every status, by slot time; `business_types` None: all."""
    day_start, day_end = _day_bounds(hall, day)
    query = (
        select(Appointment)
        .join(AppointmentSlot)
        .where(AppointmentSlot.start >= day_start, AppointmentSlot.start < day_end)
        .order_by(AppointmentSlot.start, Appointment.id)
    )
    if business_types is not None:
        query = query.where(Appointment.business_type.in_(business_types))
    return list(s.scalars(query))


def status_of(appt: Appointment) -> str:
    """booked | checked_in | served (its ticket is done) | no_show | cancelled."""
    if appt.status == "checked_in" and appt.ticket is not None and appt.ticket.status == "done":
        return "served"
    return appt.status


def place(appt: Appointment, language: str) -> str:
    return appt.slot.desk or t("appointments.place.hall", language)


def message(hall: Hall, appt: Appointment, kind: str) -> str:
    """The text message of this kind (notifications.KINDS), in the language the customer booked in."""
    bt = hall.business_type(appt.business_type)
    lang = appt.language
    return t(
        f"appointments.sms.{kind}",
        lang,
        business=bt.zh if lang == "zh" else bt.en,
        time=_local(hall, appt.slot.start),
        place=place(appt, lang),
        code=appt.code,
        early=hall.timetable.early_min if hall.timetable else 30,
    )


def _tell_desks(s: Session, appt: Appointment) -> None:
    """The desks that take this business refresh their day list; so do the guides."""
    body = {"id": appt.id, "business_type": appt.business_type, "status": appt.status}
    for person in duty.takes(s, appt.business_type):
        live.publish(s, desk_channel(person.id), "appointment", body)
    live.publish(s, "guide", "appointment", body)


def _day_bounds(hall: Hall, day: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(hall.tz)
    return datetime.combine(day, time(), tz), datetime.combine(day + timedelta(days=1), time(), tz)


def _local(hall: Hall, at: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return clock.local(at, hall.tz).strftime(fmt)


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
        "status": status_of(appt),
        "slot": slot_dict(appt.slot),
        "phone": appt.phone if reveal_phone else masking.phone(appt.phone),
        "phone_masked": masking.phone(appt.phone),
        "ticket_id": appt.ticket_id,
        "visit_id": appt.visit_id,
        "created_at": appt.created_at.isoformat(),
        "language": appt.language,
    }


def entry(hall: Hall, appt: Appointment) -> dict:
    """An appointment as a desk's day list shows it: the name and phone masked."""
    return {
        **as_dict(appt),
        "name": masking.name(appt.name),
        "time": _local(hall, appt.slot.start, "%H:%M"),
        **hall.type_keys(appt.business_type),
        "place": appt.slot.desk,
    }
