"""Hand-overs to the back office: offered to one reachable person at a time, on their desk page.

The person accepts (the kiosk and the customer's phone are told who comes or
where to go), declines, or says the customer was not found. An offer nobody
answers within the hall's answer time, or a decline, passes to the next
reachable person who takes that business; when nobody is left, the hand-over
is unanswered and the customer gets the call-back path. Each step is a
conditional update, so two desks or two server processes never both act on
the same offer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import audit, duty, live, masking, validation, visits
from kiosk.hall.context import Hall
from kiosk.hall.errors import Conflict, Forbidden, Invalid, NotFound
from kiosk.i18n import LANGUAGES, t
from kiosk.models import DutyStaff, Handover, Visit

OPEN = ("offered", "accepted")
MEETING = ("kiosk", "desk")


def desk_channel(staff_id: int) -> str:
    return f"desk:{staff_id}"


def get(s: Session, handover_id: int) -> Handover:
    found = s.get(Handover, handover_id)
    if found is None:
        raise NotFound(f"hand-over {handover_id} not found", code="handover_not_found")
    return found


def open_for(s: Session, visit: Visit, business_type: str) -> Handover | None:
    """The visit's hand-over of this business still under way: a repeat gets it, not a second one."""
    return s.scalars(
        select(Handover)
        .where(
            Handover.visit_id == visit.id,
            Handover.business_type == business_type,
            Handover.status.in_(OPEN),
        )
        .order_by(Handover.id.desc())
        .limit(1)
    ).first()


def offer(
    s: Session,
    hall: Hall,
    business_type: str,
    person: DutyStaff,
    *,
    visit: Visit | None = None,
    urgent: bool = False,
    text: str = "",
    at: datetime | None = None,
) -> Handover:
    hall.business_type(business_type)
    at = at or clock.now()
    handover = Handover(
        business_type=business_type,
        staff_id=person.id,
        visit_id=visit.id if visit else None,
        created_at=at,
        offered_at=at,
        status="offered",
        urgent=urgent,
        tried=[],
        text=validation.free_text(text),
    )
    s.add(handover)
    s.flush()
    if visit is not None:
        visits.record(
            s,
            visit,
            "handover",
            {
                "handover_id": handover.id,
                "business_type": business_type,
                "staff": person.name,
                "desk": person.desk,
                "urgent": urgent,
            },
            at=at,
        )
    _tell(s, hall, handover)
    return handover


def accept(
    s: Session,
    hall: Hall,
    handover: Handover,
    person: DutyStaff,
    meet: str = "kiosk",
    at: datetime | None = None,
) -> Handover:
    if meet not in MEETING:
        raise Invalid(f"meet is one of {', '.join(MEETING)}", code="invalid_meet")
    at = at or clock.now()
    _claim(s, handover, person, status="accepted", accepted_at=at, meet=meet)
    seconds = round((at - handover.created_at).total_seconds(), 1)
    audit.log(s, person.name, "handover.accept", f"handover:{handover.id}", seconds=seconds, meet=meet)
    _record(
        s,
        handover,
        "handover_accepted",
        {
            "handover_id": handover.id,
            "by": person.name,
            "desk": person.desk,
            "seconds": seconds,
            "meet": meet,
        },
        at,
    )
    _tell(s, hall, handover)
    return handover


def decline(
    s: Session, hall: Hall, handover: Handover, person: DutyStaff, at: datetime | None = None
) -> Handover:
    at = at or clock.now()
    if handover.status != "offered" or handover.staff_id != person.id:
        raise _not_yours(handover, person)
    audit.log(s, person.name, "handover.decline", f"handover:{handover.id}")
    if not _pass_on(s, hall, handover, "declined", at):
        raise Conflict("the hand-over was answered meanwhile", code="handover_moved")
    return handover


def customer_not_found(
    s: Session, hall: Hall, handover: Handover, person: DutyStaff, at: datetime | None = None
) -> Handover:
    """The person went to meet the customer and found nobody: a guide looks for them."""
    at = at or clock.now()
    if handover.status != "accepted" or handover.staff_id != person.id:
        raise _not_yours(handover, person)
    handover.status = "not_found"
    audit.log(s, person.name, "handover.not_found", f"handover:{handover.id}")
    _record(s, handover, "handover_not_found", {"handover_id": handover.id, "by": person.name}, at)
    visit = s.get(Visit, handover.visit_id) if handover.visit_id else None
    duty.alert_guide(s, "customer_not_found", text=f"{person.desk} {person.name}", visit=visit, at=at)
    _tell(s, hall, handover)
    return handover


def pass_unanswered(s: Session, hall: Hall, at: datetime | None = None) -> int:
    """The job: offers past the answer time pass on. Returns how many moved."""
    at = at or clock.now()
    due = s.scalars(
        select(Handover)
        .where(Handover.status == "offered", Handover.offered_at <= at - timedelta(seconds=hall.answer_s))
        .order_by(Handover.offered_at)
        .limit(100)
    ).all()
    return sum(1 for h in due if _pass_on(s, hall, h, "no_answer", at))


def _pass_on(s: Session, hall: Hall, handover: Handover, answer: str, at: datetime) -> bool:
    """Offer it to the next reachable person, else mark it unanswered; False if someone acted first."""
    before = handover.staff_id
    tried = [*handover.tried, {"staff_id": before, "answer": answer, "at": at.isoformat()}]
    nobody_twice = {t["staff_id"] for t in tried}
    following = duty.reachable(s, hall, handover.business_type, at, exclude=nobody_twice)
    values: dict[str, Any] = {"tried": tried}
    if following:
        values.update(staff_id=following[0].id, offered_at=at)
    else:
        values.update(status="unanswered")
    moved = cast(
        "CursorResult[Any]",
        s.execute(
            update(Handover)
            .where(Handover.id == handover.id, Handover.status == "offered", Handover.staff_id == before)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if moved != 1:
        return False
    s.refresh(handover)
    gone = s.get(DutyStaff, before)
    data = {"handover_id": handover.id, "from": gone.name if gone else before, "answer": answer}
    if following:
        _record(s, handover, "handover_passed", {**data, "to": following[0].name}, at)
    else:
        _record(s, handover, "handover_unanswered", data, at)
    live.publish(s, desk_channel(before), "handover_gone", {"id": handover.id})
    _tell(s, hall, handover)
    return True


def _claim(s: Session, handover: Handover, person: DutyStaff, **values: Any) -> None:
    claimed = cast(
        "CursorResult[Any]",
        s.execute(
            update(Handover)
            .where(Handover.id == handover.id, Handover.status == "offered", Handover.staff_id == person.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    s.refresh(handover)
    if claimed != 1:
        raise _not_yours(handover, person)


def _not_yours(handover: Handover, person: DutyStaff) -> Exception:
    if handover.staff_id != person.id:
        return Forbidden(f"hand-over {handover.id} is not addressed to {person.name}", code="not_yours")
    return Conflict(
        f"hand-over {handover.id} is {handover.status}",
        code="bad_transition",
        details={"status": handover.status},
    )


def _record(s: Session, handover: Handover, kind: str, data: dict, at: datetime) -> None:
    if handover.visit_id is not None:
        visits.record(s, visits.get_visit(s, handover.visit_id), kind, data, at=at)


def _tell(s: Session, hall: Hall, handover: Handover) -> None:
    """Its desk, the guides' tablets and the customer's kiosk see each change."""
    body = as_dict(hall, handover)
    if handover.status == "offered":
        live.publish(s, desk_channel(handover.staff_id), "handover", body)
    live.publish(s, "guide", "handover", body)
    visit = s.get(Visit, handover.visit_id) if handover.visit_id else None
    if visit is not None and visit.device_id:
        live.publish(s, f"kiosk:{visit.device_id}", "handover", {**body, "visit_id": visit.id})


def for_desk(s: Session, person: DutyStaff, since: datetime) -> list[Handover]:
    """Offered to this person now, and what they accepted since `since` (their shift's list)."""
    return list(
        s.scalars(
            select(Handover)
            .where(
                Handover.staff_id == person.id,
                (Handover.status == "offered")
                | (Handover.status.in_(("accepted", "not_found")) & (Handover.accepted_at >= since)),
            )
            .order_by(Handover.urgent.desc(), Handover.id.desc())
            .limit(100)
        )
    )


def under_way(s: Session) -> list[Handover]:
    return list(
        s.scalars(select(Handover).where(Handover.status.in_(OPEN)).order_by(Handover.id.desc()).limit(50))
    )


def as_dict(hall: Hall, h: Handover) -> dict:
    return {
        "id": h.id,
        **hall.type_keys(h.business_type),
        "status": h.status,
        "urgent": h.urgent,
        "visit_id": h.visit_id,
        "staff": {"id": h.staff.id, "name": h.staff.name, "desk": h.staff.desk},
        "meet": h.meet,
        "text": masking.text(h.text),
        "created_at": h.created_at.isoformat(),
        "offered_at": h.offered_at.isoformat(),
        "answer_by": (h.offered_at + timedelta(seconds=hall.answer_s)).isoformat()
        if h.status == "offered"
        else None,
        "accepted_at": h.accepted_at.isoformat() if h.accepted_at else None,
        "passed": len(h.tried),
        "lines": {lang: customer_line(h, lang) for lang in LANGUAGES},
    }


def customer_line(h: Handover, lang: str) -> str:
    """What the customer's kiosk and phone say about the hand-over now."""
    who = {"name": h.staff.name, "desk": h.staff.desk}
    if h.status == "accepted":
        return t(f"route.handover.accepted.{h.meet or 'kiosk'}", lang, **who)
    if h.status == "offered":
        return t("route.handover.passed" if h.tried else "route.handover", lang, **who)
    return t(f"route.handover.{h.status}", lang)
