"""How long the hall keeps what it records, past what it needs.

- What customers typed or said at the kiosk (dialog turns, triage texts,
  guide alerts, hand-overs), wrote with their rating or told a complaint case,
  and their contact details (appointments' and call-backs' names and phone
  numbers, the numbers text messages went to) are redacted after `days`
  (KIOSK_REDACT_AFTER_DAYS, 180 by default);
  the visit, its triage and its outcome stay for the KPIs. The assistant's
  own record of the dialogs (Rasa's tracker store) is deleted after as many days.
- Snapshots: kiosk/hall/snapshots.py (KIOSK_SNAPSHOT_DAYS).
- Answers kept for repeated Idempotency-Keys: a day. Live-page events: an hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, inspect, select, text, update
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.models import (
    Appointment,
    Callback,
    Case,
    GuideAlert,
    Handover,
    IdempotentRequest,
    LiveEvent,
    Notification,
    Rating,
    Triage,
    VisitEvent,
)

IDEMPOTENCY_KEEP = timedelta(days=1)
LIVE_KEEP = timedelta(hours=1)
# the events that carry a customer's words or contact details, and those keys of theirs
PERSONAL_EVENTS = ("dialog_turn", "appointment_booked")
PERSONAL_KEYS = ("text", "bot", "name", "phone")


def redact(s: Session, days: int, at: datetime | None = None) -> int:
    """Redact personal data older than `days`; returns how many records changed."""
    cutoff = (at or clock.now()) - timedelta(days=days)
    events = select(VisitEvent).where(
        VisitEvent.kind.in_(PERSONAL_EVENTS),
        VisitEvent.at < cutoff,
        VisitEvent.data["redacted"].as_boolean().is_(None),  # not done by an earlier run
    )
    changed = 0
    for ev in s.scalars(events):
        ev.data = {**{k: v for k, v in ev.data.items() if k not in PERSONAL_KEYS}, "redacted": True}
        changed += 1
    for stmt in (
        update(Triage).where(Triage.created_at < cutoff, Triage.text != "").values(text=""),
        update(GuideAlert).where(GuideAlert.created_at < cutoff, GuideAlert.text != "").values(text=""),
        update(Handover).where(Handover.created_at < cutoff, Handover.text != "").values(text=""),
        update(Rating).where(Rating.created_at < cutoff, Rating.comment != "").values(comment=""),
        update(Case).where(Case.opened_at < cutoff, Case.account != "").values(account=""),
        update(Appointment)
        .where(Appointment.created_at < cutoff, Appointment.phone != "")
        .values(name="", phone=""),
        update(Callback).where(Callback.created_at < cutoff, Callback.phone != "").values(name="", phone=""),
        update(Notification)
        .where(Notification.created_at < cutoff, Notification.recipient != "")
        .values(recipient=""),
    ):
        changed += s.execute(stmt.execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    return changed


def prune(s: Session, at: datetime | None = None) -> int:
    """Delete answers to old Idempotency-Keys and old live-page events; returns how many rows went."""
    now = at or clock.now()
    gone = s.execute(delete(IdempotentRequest).where(IdempotentRequest.created_at < now - IDEMPOTENCY_KEEP))
    live = s.execute(delete(LiveEvent).where(LiveEvent.at < now - LIVE_KEEP))
    return gone.rowcount + live.rowcount  # type: ignore[attr-defined]


def forget_conversations(conn: Connection, days: int, at: datetime | None = None) -> int:
    """Delete the assistant's stored dialog events older than `days` from its tracker store
    (Rasa's SQL tracker store: its `events` table, timestamps in epoch seconds)."""
    if not inspect(conn).has_table("events"):
        return 0
    cutoff = ((at or clock.now()) - timedelta(days=days)).timestamp()
    return conn.execute(text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}).rowcount
