"""The audit log: who changed what, and who read a full phone number."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import masking
from kiosk.models import AuditEntry


def log(
    s: Session, actor: str, action: str, target: str = "", *, at: datetime | None = None, **details: Any
) -> None:
    s.add(AuditEntry(at=at or clock.now(), actor=actor, action=action, target=target, details=details))


def entries(
    s: Session,
    *,
    action: str | None = None,
    actor: str | None = None,
    limit: int = 100,
    offset: int | None = 0,
) -> tuple[int, list[AuditEntry]]:
    """The log newest first, filtered by an action's prefix and an actor: how many in all, and one page."""
    where = []
    if action:
        where.append(AuditEntry.action.startswith(action, autoescape=True))
    if actor:
        where.append(AuditEntry.actor == actor)
    total = s.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = s.scalars(
        select(AuditEntry).where(*where).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    )
    return total, list(rows)


def as_dict(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "action": e.action,
        "target": e.target,
        "details": masking.deep(e.details),
    }
