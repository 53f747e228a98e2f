"""The back-office roster as the guides see it, and alerts that call a guide."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk import clock
from kiosk.hall import duty
from kiosk.web.api import answers
from kiosk.web.api.common import commit, idempotent, visit_for
from kiosk.web.api.schemas import GuideAlertIn
from kiosk.web.auth import require
from kiosk.web.database import db, hall

bp = APIBlueprint("duty", __name__, tag="Duty and hand-over")


@bp.get("/api/duty/staff")
@bp.output(answers.Staff)
@require("guide", "supervisor")
def all_staff():
    """Who takes what, whether on the roster now, and present on their desk page (read only)."""
    now, h = clock.now(), hall()
    return {"staff": [duty.staff_dict(h, p, now) for p in duty.roster(db())]}


@bp.post("/api/guide-alerts")
@bp.output(answers.AlertMade, status_code=201)
@require("kiosk", "assistant", "guide", "counter", "supervisor")
@idempotent
@bp.input(GuideAlertIn, arg_name="body")
def alert(body):
    visit = visit_for(body.get("visit_id"), body.get("session_id"))
    created = duty.alert_guide(db(), body["reason"], text=body["text"], visit=visit)
    return commit({"id": created.id, "reason": created.reason, "urgent": created.urgent}, 201)
