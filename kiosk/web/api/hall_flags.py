"""The hall's flags a guide sets: rain (the umbrella line) and wet floor (小心地滑)."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk.hall import audit, live
from kiosk.models import HallSetting
from kiosk.web.api.common import commit
from kiosk.web.api.schemas import FlagsIn
from kiosk.web.auth import caller, public, require
from kiosk.web.database import db

bp = APIBlueprint("hall_flags", __name__, tag="Hall")
DEFAULT = {"rain": False, "wet_floor": False}


def flags() -> dict:
    row = db().get(HallSetting, "flags")
    return {**DEFAULT, **(row.value if row else {})}


@bp.get("/api/hall/flags")
@public
def get_flags():
    return flags()


@bp.put("/api/hall/flags")
@require("guide", "supervisor")
@bp.input(FlagsIn, arg_name="body")
def set_flags(body):
    s = db()
    value = {**flags(), **body}
    row = s.get(HallSetting, "flags")
    if row is None:
        s.add(HallSetting(key="flags", value=value))
    else:
        row.value = value
    audit.log(s, caller().name, "hall.flags", "flags", **body)
    live.publish(s, "hall", "flags", value)
    return commit(value)
