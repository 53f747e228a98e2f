"""Live updates: written to an outbox table in the same transaction as the change they report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.models import LiveEvent

_INSERT = insert(LiveEvent)


def publish(s: Session, channel: str, type_: str, data: dict[str, Any]) -> None:
    # a plain INSERT on the session's connection: no ORM object to track, and it runs on every change
    s.connection().execute(_INSERT, {"channel": channel, "type": type_, "data": data, "at": clock.now()})
