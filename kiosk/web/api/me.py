"""Everyone on the staff: who am I."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk.web.api import answers
from kiosk.web.auth import caller, require

bp = APIBlueprint("me", __name__, tag="Staff")


@bp.get("/api/me")
@bp.output(answers.Me)
@require("guide", "counter", "backoffice", "supervisor")
def me():
    who = caller()
    return {"name": who.name, "role": who.role}
