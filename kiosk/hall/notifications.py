"""Customers' messages: queued with the change they report, delivered by a job, retried, kept visible."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk import clock
from kiosk.hall import masking
from kiosk.models import Appointment, Notification

if TYPE_CHECKING:
    from kiosk.gateways import Gateway

KINDS = ("confirmation", "reminder", "cancellation")
STATUSES = ("pending", "sending", "sent", "failed")
# a worker that claimed a message and died: another may send it after this
CLAIM = timedelta(minutes=2)


def queue(s: Session, appt: Appointment, kind: str, text: str, at: datetime | None = None) -> bool:
    """Queue one message of this kind for the appointment; False if it was queued before."""
    at = at or clock.now()
    try:
        with s.begin_nested():  # two workers queuing the same reminder: the second one's insert fails
            s.add(
                Notification(
                    appointment_id=appt.id,
                    kind=kind,
                    recipient=appt.phone,
                    text=text,
                    status="pending",
                    attempts=0,
                    gateway="",
                    created_at=at,
                    due_at=at,
                )
            )
    except IntegrityError:
        return False
    return True


def due(s: Session, at: datetime | None = None, limit: int = 50) -> list[int]:
    """The messages to send now: new ones, failed ones whose retry is due, and claims left by a dead worker."""
    return list(
        s.scalars(
            select(Notification.id)
            .where(
                Notification.status.in_(("pending", "sending")), Notification.due_at <= (at or clock.now())
            )
            .order_by(Notification.due_at)
            .limit(limit)
        )
    )


def deliver(
    sessions: sessionmaker, gateway: Gateway, ids: list[int], attempts: int, at: datetime | None = None
) -> int:
    """Send these messages, each claimed first (several workers run this); returns how many were sent.

    No transaction is open while the gateway is called: a slow gateway holds no database lock.
    """
    at = at or clock.now()
    sent = 0
    for notification_id in ids:
        with sessions() as s, s.begin():
            claimed = cast(
                "CursorResult[Any]",
                s.execute(
                    update(Notification)
                    .where(
                        Notification.id == notification_id,
                        Notification.status.in_(("pending", "sending")),
                        Notification.due_at <= at,
                    )
                    .values(
                        status="sending",
                        attempts=Notification.attempts + 1,
                        due_at=at + CLAIM,
                        gateway=gateway.name,
                    )
                    .execution_options(synchronize_session=False)
                ),
            ).rowcount
            note = s.get(Notification, notification_id) if claimed == 1 else None
            recipient, text = (note.recipient, note.text) if note else ("", "")
        if note is None:
            continue
        error = _send(gateway, recipient, text)
        with sessions() as s, s.begin():
            note = s.get(Notification, notification_id)
            if note is None or note.status != "sending":
                continue
            if error is None:
                note.status, note.sent_at, note.last_error = "sent", at, None
                sent += 1
            elif note.attempts >= attempts:
                note.status, note.last_error = "failed", error
            else:
                note.status, note.last_error = "pending", error
                note.due_at = at + timedelta(minutes=2 ** (note.attempts - 1))
    return sent


def _send(gateway: Gateway, recipient: str, text: str) -> str | None:
    from kiosk.gateways import DeliveryError

    try:
        gateway.send(recipient, text)
    except DeliveryError as e:
        return str(e)[:300]
    return None


def listing(s: Session, status: str | None = None, limit: int = 100) -> list[Notification]:
    query = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if status:
        query = query.where(Notification.status == status)
    return list(s.scalars(query))


def as_dict(n: Notification) -> dict:
    return {
        "id": n.id,
        "appointment_id": n.appointment_id,
        "kind": n.kind,
        "recipient": masking.phone(n.recipient),
        "text": n.text,
        "status": n.status,
        "attempts": n.attempts,
        "last_error": n.last_error,
        "gateway": n.gateway,
        "created_at": n.created_at.isoformat(),
        "sent_at": n.sent_at.isoformat() if n.sent_at else None,
    }
