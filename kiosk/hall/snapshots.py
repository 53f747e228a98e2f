"""Snapshots for review: stored blurred (the agent blurs before sending), kept a few days."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import audit
from kiosk.hall.errors import Invalid, NotFound
from kiosk.models import Snapshot, Visit

MAX_BYTES = 2 * 1024 * 1024


def store(s: Session, folder: Path, visit: Visit, jpeg: bytes, at: datetime | None = None) -> Snapshot:
    if not jpeg.startswith(b"\xff\xd8") or len(jpeg) > MAX_BYTES:
        raise Invalid("a snapshot is a JPEG of at most 2 MB", code="invalid_snapshot")
    at = at or clock.now()
    day_dir = Path(folder) / at.strftime("%Y-%m-%d")
    day_dir.mkdir(parents=True, exist_ok=True)
    snap = Snapshot(visit_id=visit.id, path="", created_at=at)
    s.add(snap)
    s.flush()
    path = day_dir / f"visit{visit.id}-{snap.id}.jpg"
    path.write_bytes(jpeg)
    snap.path = str(path)
    return snap


def one(s: Session, visit_id: int, snapshot_id: int) -> Snapshot:
    snap = s.get(Snapshot, snapshot_id)
    if snap is None or snap.visit_id != visit_id:
        raise NotFound("no such snapshot (it may have passed its retention)", code="snapshot_not_found")
    return snap


def of_visit(s: Session, visit_id: int) -> list[Snapshot]:
    return list(s.scalars(select(Snapshot).where(Snapshot.visit_id == visit_id).order_by(Snapshot.id)))


def purge(s: Session, days: int, at: datetime | None = None, *, actor: str | None = None) -> int:
    """Delete snapshots older than `days`, files first, then their rows; audited when a person asked."""
    cutoff = (at or clock.now()) - timedelta(days=days)
    old = s.scalars(select(Snapshot).where(Snapshot.created_at < cutoff)).all()
    for snap in old:
        Path(snap.path).unlink(missing_ok=True)
        s.delete(snap)
    if actor is not None:
        audit.log(s, actor, "snapshots.purge", "snapshots", days=days, deleted=len(old))
    return len(old)
