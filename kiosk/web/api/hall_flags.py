"""The hall's flags a guide sets: rain (the umbrella line) and wet floor (小心地滑)."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk.hall import flags
from kiosk.web.api import answers
from kiosk.web.api.common import commit
from kiosk.web.api.schemas import FlagsIn
from kiosk.web.auth import caller, public, require
from kiosk.web.database import db

bp = APIBlueprint("hall_flags", __name__, tag="Hall")


@bp.get("/api/hall/flags")
@bp.output(answers.Flags)
@public
def get_flags():
    return flags.current(db())


@bp.put("/api/hall/flags")
@bp.output(answers.Flags)
@require("guide", "supervisor")
@bp.input(FlagsIn, arg_name="body")
def set_flags(body):
    return commit(flags.change(db(), body, actor=caller().name))
