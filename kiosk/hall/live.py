"""Live updates: written to an outbox table in the same transaction as the change they report."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.models import LiveEvent


def publish(s: Session, channel: str, type_: str, data: dict[str, Any]) -> None:
    s.add(LiveEvent(channel=channel, type=type_, data=data, at=clock.now()))
