"""Who in the back office or another department can take a customer now, and guide alerts.

Reachable = on the roster now (the person's shift in config/hall.yml, else the
hall's hours) and present: available on their desk page.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import audit, hours, live, masking, validation, visits
from kiosk.hall.context import Hall
from kiosk.hall.errors import Forbidden, NotFound
from kiosk.hall.routing import Person
from kiosk.models import DutyStaff, GuideAlert, User, Visit

URGENT_REASONS = ("danger", "outage", "anger")
ALERT_STATUSES = ("open", "resolved", "all")
ALERT_REASONS = (
    "asked_for_human",
    "out_of_scope",
    "low_confidence",
    "complaint",
    "question",
    "customer_not_found",
    *URGENT_REASONS,
    "other",
)


def on_roster(hall: Hall, person: DutyStaff, at: datetime) -> bool:
    shift = hours.parse(person.shift, person.name)
    return shift.covers(at, hall.tz) if shift else hall.is_open(at)


def roster(s: Session) -> list[DutyStaff]:
    """Everyone in the duty roster (config/hall.yml), in its order."""
    return list(s.scalars(select(DutyStaff).order_by(DutyStaff.id)))


def takes(s: Session, business_type: str) -> list[DutyStaff]:
    """Everyone on the roster for this business, in roster order."""
    return [p for p in roster(s) if business_type in p.business_types]


def reachable(
    s: Session, hall: Hall, business_type: str, at: datetime | None = None, exclude: Collection[int] = ()
) -> list[DutyStaff]:
    at = at or clock.now()
    present = s.scalars(select(DutyStaff).where(DutyStaff.available.is_(True)).order_by(DutyStaff.id)).all()
    return [
        p
        for p in present
        if business_type in p.business_types and p.id not in exclude and on_roster(hall, p, at)
    ]


def person(p: DutyStaff) -> Person:
    return Person(id=p.id, name=p.name, desk=p.desk)


def get(s: Session, staff_id: int) -> DutyStaff:
    found = s.get(DutyStaff, staff_id)
    if found is None:
        raise NotFound(f"staff {staff_id} not found", code="staff_not_found")
    return found


def of_user(s: Session, user_id: int | None) -> DutyStaff:
    """The roster entry a back-office account is linked to (its desk)."""
    user = s.get(User, user_id) if user_id else None
    if user is None or user.staff_id is None:
        raise Forbidden("this account has no desk: link it with create-user --staff", code="no_desk")
    return get(s, user.staff_id)


def by_name(s: Session, name: str) -> DutyStaff:
    found = s.scalars(select(DutyStaff).where(DutyStaff.name == name)).first()
    if found is None:
        raise NotFound(f"nobody called {name!r} in the duty roster (config/hall.yml)", code="staff_not_found")
    return found


def set_presence(
    s: Session, hall: Hall, p: DutyStaff, available: bool, *, actor: str, at: datetime | None = None
) -> DutyStaff:
    at = at or clock.now()
    if p.available != available:
        p.available, p.available_at = available, at
        audit.log(s, actor, "desk.presence", f"duty_staff:{p.id}", available=available)
        live.publish(s, "guide", "duty", staff_dict(hall, p, at))
    return p


def staff_dict(hall: Hall, p: DutyStaff, at: datetime | None = None) -> dict:
    at = at or clock.now()
    rostered = on_roster(hall, p, at)
    return {
        "id": p.id,
        "name": p.name,
        "desk": p.desk,
        "phone_masked": masking.phone(p.phone),
        "business_types": list(p.business_types),
        "shift": p.shift,
        "on_roster": rostered,
        "available": p.available,
        "reachable": rostered and p.available,
    }


def alert_guide(
    s: Session,
    reason: str,
    *,
    text: str = "",
    visit: Visit | None = None,
    at: datetime | None = None,
) -> GuideAlert:
    """Call a guide; an urgent reason (danger, outage, anger) comes first on the tablet, with its own sound."""
    at = at or clock.now()
    reason = reason if reason in ALERT_REASONS else "other"
    alert = GuideAlert(
        reason=reason,
        text=validation.free_text(text),
        visit_id=visit.id if visit else None,
        created_at=at,
        urgent=reason in URGENT_REASONS,
    )
    s.add(alert)
    s.flush()
    if visit is not None:
        visits.record(
            s,
            visit,
            "guide_alert",
            {"alert_id": alert.id, "reason": alert.reason, "urgent": alert.urgent},
            at=at,
        )
    live.publish(s, "guide", "alert", alert_dict(alert))
    return alert


def alert_dict(a: GuideAlert) -> dict:
    return {
        "id": a.id,
        "reason": a.reason,
        "urgent": a.urgent,
        "text": masking.text(a.text),
        "visit_id": a.visit_id,
        "created_at": a.created_at.isoformat(),
        "resolved_at": a.resolved_at.isoformat() if a.resolved_at else None,
    }


def alerts(s: Session, status: str = "open", limit: int = 50) -> list[GuideAlert]:
    """The guides' alerts, urgent calls first (danger, an outage at home, an angry customer), newest next."""
    q = select(GuideAlert)
    if status == "open":
        q = q.where(GuideAlert.resolved_at.is_(None))
    elif status == "resolved":
        q = q.where(GuideAlert.resolved_at.is_not(None))
    return list(s.scalars(q.order_by(GuideAlert.urgent.desc(), GuideAlert.id.desc()).limit(limit)))


def resolve_alert(s: Session, alert_id: int, *, actor: str, user_id: int | None) -> GuideAlert:
    """A guide has seen to it; resolving it again changes nothing."""
    alert = s.get(GuideAlert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} not found", code="alert_not_found")
    if alert.resolved_at is None:
        alert.resolved_at, alert.resolved_by = clock.now(), user_id
        audit.log(s, actor, "alert.resolve", f"guide_alert:{alert.id}")
        live.publish(s, "guide", "alert_resolved", {"id": alert.id, "by": actor})
    return alert
