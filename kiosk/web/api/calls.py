"""The hall display's last calls (public: numbers and counters only)."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk.hall import calls
from kiosk.web.api import answers
from kiosk.web.auth import public
from kiosk.web.database import db, hall

bp = APIBlueprint("calls", __name__, tag="Hall display")


@bp.get("/api/calls/recent")
@bp.output(answers.Calls)
@public
def recent_calls():
    """The last calls of the day for the hall display."""
    return {"calls": calls.recent(db(), hall())}
