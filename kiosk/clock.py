"""The hall's clock: aware UTC instants, and the service day in the hall's time zone."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(timezone.utc)


def local(at: datetime, tz: str) -> datetime:
    return at.astimezone(ZoneInfo(tz))


def service_day(at: datetime, tz: str) -> date:
    return local(at, tz).date()
