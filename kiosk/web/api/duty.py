"""Back-office duty, hand-overs to staff on duty, and alerts that call a guide."""

from __future__ import annotations

from apiflask import APIBlueprint
from sqlalchemy import select

from kiosk.hall import audit, duty
from kiosk.hall.errors import NotFound
from kiosk.models import DutyStaff
from kiosk.web.api.common import commit, idempotent, visit_for
from kiosk.web.api.schemas import DutyQuery, DutyStaffIn, GuideAlertIn, HandoverIn
from kiosk.web.auth import caller, require
from kiosk.web.database import db, hall

bp = APIBlueprint("duty", __name__, tag="Duty and hand-over")


@bp.get("/api/duty")
@require("assistant", "guide", "supervisor")
@bp.input(DutyQuery, location="query", arg_name="query")
def who_is_on_duty(query):
    bt = hall().business_type(query["business_type"])
    staff = duty.reachable(db(), bt.id)
    return {
        "business_type": bt.id,
        "route": bt.route,
        "reachable": bool(staff),
        "staff": [duty.staff_dict(p) for p in staff],
    }


@bp.get("/api/duty/staff")
@require("guide", "supervisor")
def all_staff():
    return {"staff": [duty.staff_dict(p) for p in db().scalars(select(DutyStaff).order_by(DutyStaff.id))]}


@bp.patch("/api/duty/staff/<int:staff_id>")
@require("guide", "supervisor")
@bp.input(DutyStaffIn, arg_name="body")
def set_duty(staff_id: int, body):
    s = db()
    person = s.get(DutyStaff, staff_id)
    if person is None:
        raise NotFound(f"staff {staff_id} not found", code="staff_not_found")
    for field, value in body.items():
        setattr(person, field, value)
    audit.log(s, caller().name, "duty.update", f"duty_staff:{staff_id}", **body)
    return commit(duty.staff_dict(person))


@bp.post("/api/handovers")
@require("assistant", "guide", "supervisor")
@idempotent
@bp.input(HandoverIn, arg_name="body")
def hand_over(body):
    visit = visit_for(body.get("visit_id"), body.get("session_id"))
    handover = duty.hand_over(db(), hall(), body["business_type"], body["staff_id"], visit=visit)
    return commit(
        {
            "id": handover.id,
            "business_type": handover.business_type,
            "staff": duty.staff_dict(handover.staff),
        },
        201,
    )


@bp.post("/api/guide-alerts")
@require("kiosk", "assistant", "guide", "counter", "supervisor")
@idempotent
@bp.input(GuideAlertIn, arg_name="body")
def alert(body):
    visit = visit_for(body.get("visit_id"), body.get("session_id"))
    created = duty.alert_guide(db(), body["reason"], text=body["text"], visit=visit)
    return commit({"id": created.id, "reason": created.reason}, 201)
