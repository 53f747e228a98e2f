"""The audit log: who changed what, and who read a full phone number."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.models import AuditEntry


def log(
    s: Session, actor: str, action: str, target: str = "", *, at: datetime | None = None, **details: Any
) -> None:
    s.add(AuditEntry(at=at or clock.now(), actor=actor, action=action, target=target, details=details))
