"""The audit log: who changed what, and who read a full phone number."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.models import AuditEntry


def log(s: Session, actor: str, action: str, target: str = "", **details: Any) -> None:
    s.add(AuditEntry(at=clock.now(), actor=actor, action=action, target=target, details=details))
