"""The appointment timetable (config/hall.yml `appointments`): the slots it makes, day by day.

A hall job runs `ensure_slots` every few minutes, so the coming days always have
their slots without a restart. A changed timetable (or a closure added) applies
only to future slots nobody has booked: those are made, resized or closed
(capacity 0); a slot with a booking keeps its place and its customers, and one the
timetable no longer has takes nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import duty
from kiosk.hall.appointments import bookable
from kiosk.models import AppointmentSlot

if TYPE_CHECKING:
    from kiosk.hall.context import Hall


class TimetableError(ValueError):
    pass


@dataclass(frozen=True)
class Timetable:
    # slots exist for this many days, today the first: the days the slots API offers at most
    days_ahead: int = 14
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    times: tuple[time, ...] = ()
    minutes: int = 60
    capacity: int = 3
    # closures and holidays: no slots on these days
    closed: frozenset[date] = field(default_factory=frozenset)
    # check-in within [start - early_min, start + late_min] goes ahead of walk-ins; past it: no-show
    early_min: int = 30
    late_min: int = 15
    # the reminder goes this many hours before the slot (0: none)
    reminder_hours: int = 24

    def days(self, today: date) -> list[date]:
        every = (today + timedelta(days=n) for n in range(self.days_ahead))
        return [d for d in every if d.isoweekday() in self.weekdays and d not in self.closed]


def parse(plan: dict | None) -> Timetable | None:
    """The timetable from hall.yml's `appointments` (None: no appointments), refused when malformed."""
    if not plan:
        return None
    try:
        times = tuple(sorted(time.fromisoformat(str(hhmm)) for hhmm in plan.get("times", [])))
        weekdays = tuple(int(d) for d in plan.get("weekdays", [1, 2, 3, 4, 5]))
        table = Timetable(
            days_ahead=int(plan.get("days_ahead", 14)),
            weekdays=weekdays,
            times=times,
            minutes=int(plan.get("minutes", 60)),
            capacity=int(plan.get("capacity", 3)),
            closed=frozenset(_closed_days(plan.get("closed") or [])),
            early_min=int((plan.get("check_in") or {}).get("early_min", 30)),
            late_min=int((plan.get("check_in") or {}).get("late_min", 15)),
            reminder_hours=int(plan.get("reminder_hours", 24)),
        )
    except (TypeError, ValueError) as e:
        raise TimetableError(f"hall.yml appointments: {e}") from None
    if not 1 <= table.days_ahead <= 90:
        raise TimetableError("hall.yml appointments.days_ahead is 1 to 90")
    if not set(weekdays) <= set(range(1, 8)):
        raise TimetableError("hall.yml appointments.weekdays are ISO weekdays 1 to 7")
    if not (5 <= table.minutes <= 480 and 1 <= table.capacity <= 100):
        raise TimetableError("hall.yml appointments: minutes 5 to 480, capacity 1 to 100")
    if not (0 <= table.early_min <= 240 and 0 <= table.late_min <= 240 and 0 <= table.reminder_hours <= 168):
        raise TimetableError("hall.yml appointments: check_in minutes 0 to 240, reminder_hours 0 to 168")
    return table


def _closed_days(entries: list) -> list[date]:
    """Days as YYYY-MM-DD, or a span as YYYY-MM-DD..YYYY-MM-DD (both ends closed)."""
    days: list[date] = []
    for entry in entries:
        first, _, last = str(entry).partition("..")
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if last else start
        if end < start:
            raise ValueError(f"closure {entry!r} ends before it starts")
        days.extend(start + timedelta(days=n) for n in range((end - start).days + 1))
    return days


def _places(s: Session, kinds: list[str]) -> dict[str, str]:
    """Where each business's customers go: the desk of the first person on the roster who takes it."""
    return {kind: next((p.desk for p in duty.takes(s, kind)), "") for kind in kinds}


def ensure_slots(s: Session, hall: Hall, at: datetime | None = None) -> int:
    """Bring the future slots in line with the timetable; returns how many were made or changed."""
    table = hall.timetable
    if table is None:
        return 0
    at = at or clock.now()
    tz = ZoneInfo(hall.tz)
    kinds = [bt.id for bt in bookable(hall.taxonomy)]
    places = _places(s, kinds)
    wanted: dict[tuple[str, datetime], datetime] = {}
    for day in table.days(clock.local(at, hall.tz).date()):
        for begin_at in table.times:
            begin = datetime.combine(day, begin_at, tz)
            if begin > at:
                for kind in kinds:
                    wanted[(kind, begin)] = begin + timedelta(minutes=table.minutes)
    changed = 0
    for slot in s.scalars(select(AppointmentSlot).where(AppointmentSlot.start > at)):
        end = wanted.pop((slot.business_type, slot.start), None)
        if slot.booked > 0:
            # its customers keep it; nobody else joins one the timetable dropped, and one it takes
            # back (a closure lifted) reopens
            capacity = slot.booked if end is None else max(slot.capacity, table.capacity)
            if slot.capacity != capacity:
                slot.capacity = capacity
                changed += 1
            continue
        capacity, end = (table.capacity, end) if end is not None else (0, slot.end)
        desk = places.get(slot.business_type, slot.desk)
        if (slot.capacity, slot.end, slot.desk) != (capacity, end, desk):
            slot.capacity, slot.end, slot.desk = capacity, end, desk
            changed += 1
    for (kind, begin), end in wanted.items():
        s.add(
            AppointmentSlot(
                business_type=kind, start=begin, end=end, capacity=table.capacity, booked=0, desk=places[kind]
            )
        )
        changed += 1
    return changed
