"""The hall's clock: aware UTC instants, and the service day in the hall's time zone.

The clock can be set (`frozen`), in the calling thread only: jobs that act on
elapsed time, such as passing on an unanswered hand-over, are tested by moving
it rather than by waiting, while the server's own threads keep the real time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

_set = threading.local()


def now() -> datetime:
    at = getattr(_set, "at", None)
    return at if at is not None else datetime.now(timezone.utc)


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Within the block, now() is `at` (an aware instant) in this thread."""
    if at.tzinfo is None:
        raise ValueError("the clock is set to an aware instant")
    before, _set.at = getattr(_set, "at", None), at
    try:
        yield at
    finally:
        _set.at = before


def local(at: datetime, tz: str) -> datetime:
    return at.astimezone(ZoneInfo(tz))


def service_day(at: datetime, tz: str) -> date:
    return local(at, tz).date()
