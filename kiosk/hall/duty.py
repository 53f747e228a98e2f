"""Who in the back office or another department can take a customer now; hand-overs; guide alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import live, masking, validation, visits
from kiosk.hall.context import Hall
from kiosk.hall.errors import Conflict, NotFound
from kiosk.models import DutyStaff, GuideAlert, Handover, Visit

ALERT_REASONS = ("asked_for_human", "out_of_scope", "low_confidence", "complaint", "other")


def reachable(s: Session, business_type: str) -> list[DutyStaff]:
    staff = s.scalars(
        select(DutyStaff)
        .where(DutyStaff.on_duty.is_(True), DutyStaff.available.is_(True))
        .order_by(DutyStaff.id)
    ).all()
    return [p for p in staff if business_type in p.business_types]


def staff_dict(p: DutyStaff) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "desk": p.desk,
        "phone_masked": masking.phone(p.phone),
        "business_types": list(p.business_types),
        "on_duty": p.on_duty,
        "available": p.available,
    }


def hand_over(
    s: Session,
    hall: Hall,
    business_type: str,
    staff_id: int,
    visit: Visit | None = None,
    at: datetime | None = None,
) -> Handover:
    hall.business_type(business_type)
    person = s.get(DutyStaff, staff_id)
    if person is None:
        raise NotFound(f"staff {staff_id} not found", code="staff_not_found")
    if person not in reachable(s, business_type):
        raise Conflict(f"{person.name} cannot take {business_type} now", code="staff_unavailable")
    at = at or clock.now()
    handover = Handover(
        business_type=business_type, staff_id=staff_id, visit_id=visit.id if visit else None, created_at=at
    )
    s.add(handover)
    s.flush()
    data = {
        "handover_id": handover.id,
        "business_type": business_type,
        "staff": person.name,
        "desk": person.desk,
    }
    if visit is not None:
        visits.record(s, visit, "handover", data, at=at)
    live.publish(s, "guide", "handover", {**data, "visit_id": visit.id if visit else None})
    return handover


def alert_guide(
    s: Session, reason: str, *, text: str = "", visit: Visit | None = None, at: datetime | None = None
) -> GuideAlert:
    at = at or clock.now()
    alert = GuideAlert(
        reason=reason if reason in ALERT_REASONS else "other",
        text=validation.free_text(text),
        visit_id=visit.id if visit else None,
        created_at=at,
    )
    s.add(alert)
    s.flush()
    if visit is not None:
        visits.record(s, visit, "guide_alert", {"alert_id": alert.id, "reason": alert.reason}, at=at)
    live.publish(
        s,
        "guide",
        "alert",
        {
            "id": alert.id,
            "reason": alert.reason,
            "text": masking.text(alert.text),
            "visit_id": alert.visit_id,
            "at": at.isoformat(),
        },
    )
    return alert
