"""The hall's flags a guide sets: rain (the umbrella line) and wet floor (小心地滑)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kiosk.hall import audit, live
from kiosk.models import HallSetting

DEFAULT = {"rain": False, "wet_floor": False}


def current(s: Session) -> dict[str, Any]:
    row = s.get(HallSetting, "flags")
    return {**DEFAULT, **(row.value if row else {})}


def change(s: Session, changes: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """Set some flags; audited, and the kiosks and the display hear of it."""
    value = {**current(s), **changes}
    row = s.get(HallSetting, "flags")
    if row is None:
        s.add(HallSetting(key="flags", value=value))
    else:
        row.value = value
    audit.log(s, actor, "hall.flags", "flags", **changes)
    live.publish(s, "hall", "flags", value)
    return value
