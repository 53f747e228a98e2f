"""Customers' text messages as supervisors check them: recipient masked, text, delivery status."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk.hall import notifications
from kiosk.web.api import answers
from kiosk.web.api.schemas import NotificationsQuery
from kiosk.web.auth import require
from kiosk.web.database import db

bp = APIBlueprint("notifications", __name__, tag="Notifications")


@bp.get("/api/notifications")
@bp.output(answers.Notifications)
@require("supervisor")
@bp.input(NotificationsQuery, location="query", arg_name="query")
def listing(query):
    """Newest first; failed ones stay listed with their last error."""
    rows = notifications.listing(db(), query.get("status"), query["limit"])
    return {"notifications": [notifications.as_dict(n) for n in rows]}
