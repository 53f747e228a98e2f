"""Opening hours and shifts: the ISO weekdays and the local time span they cover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from kiosk import clock

ALL_WEEK = (1, 2, 3, 4, 5, 6, 7)


class HoursError(ValueError):
    pass


@dataclass(frozen=True)
class Hours:
    weekdays: tuple[int, ...]
    start: time
    end: time

    def covers(self, at: datetime, tz: str) -> bool:
        here = clock.local(at, tz)
        return here.isoweekday() in self.weekdays and self.start <= here.time() < self.end

    def as_dict(self) -> dict:
        return {"weekdays": list(self.weekdays), "start": f"{self.start:%H:%M}", "end": f"{self.end:%H:%M}"}


def parse(raw: dict | None, where: str) -> Hours | None:
    """{"weekdays": [1, ...], "start": "08:30", "end": "17:30"}; None or {} means no limit."""
    if not raw:
        return None
    try:
        weekdays = tuple(int(d) for d in raw.get("weekdays", ALL_WEEK))
        start, end = time.fromisoformat(str(raw["start"])), time.fromisoformat(str(raw["end"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise HoursError(f"{where}: hours need start and end as HH:MM ({exc})") from exc
    if not weekdays or any(d not in ALL_WEEK for d in weekdays):
        raise HoursError(f"{where}: weekdays are ISO weekdays 1 (Monday) to 7")
    if not start < end:
        raise HoursError(f"{where}: the start {start:%H:%M} is not before the end {end:%H:%M}")
    return Hours(weekdays=weekdays, start=start, end=end)
