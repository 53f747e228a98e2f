"""The hall's setup (config/hall.yml): its rules for the Hall, and counters, duty staff and slots for the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import yamlfile
from kiosk.hall import hours, timetable
from kiosk.hall.context import Hall
from kiosk.models import Counter, DutyStaff


def read_plan(path: Path) -> dict:
    return yamlfile.read(path) or {}


def hall_rules(plan: dict) -> dict[str, Any]:
    """The Hall's fields the plan sets: hours, emergency line, the desks' answer time, the timetable."""
    answer_s = int((plan.get("desk") or {}).get("answer_s", 90))
    if not 10 <= answer_s <= 3600:
        raise hours.HoursError("hall.yml: desk.answer_s is 10 to 3600 seconds")
    return {
        "hours": hours.parse(plan.get("hours"), "hall.yml hours"),
        "emergency_line": str(plan.get("emergency_line") or "95598"),
        "answer_s": answer_s,
        "timetable": timetable.parse(plan.get("appointments")),
    }


def apply(s: Session, hall: Hall, plan: dict) -> None:
    """Add what the plan names and the database lacks; never overwrite an operator's changes."""
    for c in plan.get("counters", []):
        if s.get(Counter, c["id"]) is None:
            for q in c["queues"]:
                hall.check_queue(q)
            s.add(Counter(id=c["id"], name=c["name"], queues=list(c["queues"]), is_open=False))
    for p in plan.get("duty_staff", []):
        if s.scalar(select(DutyStaff.id).where(DutyStaff.name == p["name"])) is None:
            for t in p["business_types"]:
                hall.business_type(t)
            shift = hours.parse(p.get("shift"), f"hall.yml {p['name']}")
            s.add(
                DutyStaff(
                    name=p["name"],
                    desk=p["desk"],
                    phone=str(p.get("phone", "")),
                    business_types=list(p["business_types"]),
                    shift=shift.as_dict() if shift else None,
                    available=False,
                )
            )
    timetable.ensure_slots(s, hall)
