"""Loading the hall's setup (counters, duty staff, appointment timetable) into the database."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.hall import appointments
from kiosk.hall.context import Hall
from kiosk.models import Counter, DutyStaff


def read_plan(path: Path) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


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
            s.add(
                DutyStaff(
                    name=p["name"],
                    desk=p["desk"],
                    phone=str(p.get("phone", "")),
                    business_types=list(p["business_types"]),
                    on_duty=False,
                    available=True,
                )
            )
    if plan.get("appointments"):
        appointments.ensure_slots(s, hall, plan["appointments"])
