"""The guides' alerts: the open calls for a guide on the tablet, and resolving one."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Integer, String
from apiflask.validators import OneOf, Range

from kiosk.hall import duty
from kiosk.web.api import answers
from kiosk.web.api.common import commit
from kiosk.web.auth import caller, require
from kiosk.web.database import db

bp = APIBlueprint("guide_alerts", __name__, tag="Guide alerts")
GUIDES = ("guide", "supervisor")


class AlertQuery(Schema):
    status = String(load_default="open", validate=OneOf(list(duty.ALERT_STATUSES)))
    limit = Integer(load_default=50, validate=Range(min=1, max=500))


@bp.get("/api/guide-alerts")
@bp.output(answers.Alerts)
@require(*GUIDES)
@bp.input(AlertQuery, location="query", arg_name="query")
def list_alerts(query):
    return {"alerts": [duty.alert_dict(a) for a in duty.alerts(db(), query["status"], query["limit"])]}


@bp.post("/api/guide-alerts/<int:alert_id>/resolve")
@bp.output(answers.Alert)
@require(*GUIDES)
def resolve_alert(alert_id: int):
    who = caller()
    return commit(duty.alert_dict(duty.resolve_alert(db(), alert_id, actor=who.name, user_id=who.user_id)))
