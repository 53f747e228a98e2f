"""Call-backs (联系不上时): the customer's name and phone, for the department that takes the business.

Its desk works the list: open, called, no answer, done; every change is
audited, and the phone number is masked wherever staff read it, unless the
person about to call asks for it (that read is audited too).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import audit, duty, live, masking, validation, visits
from kiosk.hall.context import Hall
from kiosk.hall.errors import Forbidden, Invalid, NotFound
from kiosk.hall.handovers import desk_channel
from kiosk.models import Callback, DutyStaff, Handover, Visit

STATUSES = ("open", "called", "no_answer", "done")
# what a desk may set; done closes it
WORKED = ("called", "no_answer", "done")


def get(s: Session, callback_id: int) -> Callback:
    found = s.get(Callback, callback_id)
    if found is None:
        raise NotFound(f"call-back {callback_id} not found", code="callback_not_found")
    return found


def request(
    s: Session,
    hall: Hall,
    business_type: str,
    name: str,
    phone: str,
    *,
    visit: Visit | None = None,
    language: str = "zh",
    at: datetime | None = None,
) -> tuple[Callback, bool]:
    """Take the customer's details; (call-back, created). The visit's open one of the business is updated."""
    hall.business_type(business_type)
    phone, name = validation.mobile(phone), validation.person_name(name)
    at = at or clock.now()
    existing = (
        s.scalars(
            select(Callback).where(
                Callback.visit_id == visit.id,
                Callback.business_type == business_type,
                Callback.status == "open",
            )
        ).first()
        if visit is not None
        else None
    )
    if existing is not None:
        existing.name, existing.phone, existing.updated_at = name, phone, at
        return existing, False
    handover = (
        s.scalars(
            select(Handover)
            .where(Handover.visit_id == visit.id, Handover.business_type == business_type)
            .order_by(Handover.id.desc())
            .limit(1)
        ).first()
        if visit is not None
        else None
    )
    callback = Callback(
        business_type=business_type,
        name=name,
        phone=phone,
        status="open",
        created_at=at,
        updated_at=at,
        visit_id=visit.id if visit else None,
        handover_id=handover.id if handover else None,
        language=language,
    )
    s.add(callback)
    s.flush()
    if visit is not None:
        visits.record(
            s,
            visit,
            "callback_requested",
            {"callback_id": callback.id, "business_type": business_type, "phone": masking.phone(phone)},
            at=at,
        )
    for person in duty.takes(s, business_type):
        live.publish(
            s, desk_channel(person.id), "callback", {"id": callback.id, "business_type": business_type}
        )
    return callback, True


def set_status(
    s: Session,
    callback: Callback,
    status: str,
    *,
    actor: str,
    person: DutyStaff | None,
    at: datetime | None = None,
) -> Callback:
    """A desk worked it. `person`: the desk's roster entry (None: a supervisor)."""
    if status not in WORKED:
        raise Invalid(f"status is one of {', '.join(WORKED)}", code="invalid_status")
    _check_desk(callback, person)
    before, at = callback.status, at or clock.now()
    callback.status, callback.updated_at, callback.updated_by = status, at, actor
    audit.log(s, actor, f"callback.{status}", f"callback:{callback.id}", **{"from": before}, at=at)
    if callback.visit_id is not None:
        visits.record(
            s,
            visits.get_visit(s, callback.visit_id),
            "callback_worked",
            {"callback_id": callback.id, "status": status, "by": actor},
            at=callback.updated_at,
        )
    return callback


def phone_for(s: Session, callback: Callback, *, actor: str, person: DutyStaff | None) -> str:
    """The full number, for the person about to call; the read is audited."""
    _check_desk(callback, person)
    audit.log(s, actor, "phone.reveal", f"callback:{callback.id}")
    return callback.phone


def close_for_appointment(s: Session, visit: Visit, business_type: str, appointment_id: int) -> None:
    """The customer chose an appointment slot instead: the desk need not call."""
    for callback in s.scalars(
        select(Callback).where(
            Callback.visit_id == visit.id, Callback.business_type == business_type, Callback.status == "open"
        )
    ):
        callback.status, callback.updated_at, callback.updated_by = "done", clock.now(), "appointment"
        audit.log(s, "kiosk", "callback.done", f"callback:{callback.id}", appointment_id=appointment_id)


def for_desk(s: Session, person: DutyStaff, status: str | None = None, limit: int = 200) -> list[Callback]:
    """The call-backs of the business types this person's department takes."""
    return _listing(
        s, select(Callback).where(Callback.business_type.in_(list(person.business_types))), status, limit
    )


def every(s: Session, status: str | None = None, limit: int = 200) -> list[Callback]:
    return _listing(s, select(Callback), status, limit)


def _listing(s: Session, query, status: str | None, limit: int) -> list[Callback]:
    if status is not None and status not in STATUSES:
        raise Invalid(f"status is one of {', '.join(STATUSES)}", code="invalid_status")
    if status:
        query = query.where(Callback.status == status)
    return list(s.scalars(query.order_by(Callback.id.desc()).limit(limit)))


def _check_desk(callback: Callback, person: DutyStaff | None) -> None:
    if person is not None and callback.business_type not in person.business_types:
        raise Forbidden(f"call-back {callback.id} is for another department", code="not_yours")


def as_dict(hall: Hall, c: Callback) -> dict:
    return {
        "id": c.id,
        **hall.type_keys(c.business_type),
        "name": masking.text(c.name),
        "phone_masked": masking.phone(c.phone),
        "status": c.status,
        "language": c.language,
        "visit_id": c.visit_id,
        "handover_id": c.handover_id,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
        "updated_by": c.updated_by,
    }
