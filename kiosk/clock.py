"""The hall's clock: aware UTC instants, and the service day in the hall's time zone.

The clock can be set (`frozen`): jobs that act on elapsed time, such as passing
on an unanswered hand-over, are tested by moving it rather than by waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

_set_to: datetime | None = None


def now() -> datetime:
    return _set_to if _set_to is not None else datetime.now(timezone.utc)


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Within the block, now() is `at` (an aware instant) in this process."""
    global _set_to
    if at.tzinfo is None:
        raise ValueError("the clock is set to an aware instant")
    before, _set_to = _set_to, at
    try:
        yield at
    finally:
        _set_to = before


def local(at: datetime, tz: str) -> datetime:
    return at.astimezone(ZoneInfo(tz))


def service_day(at: datetime, tz: str) -> date:
    return local(at, tz).date()
