"""Visits: each customer's ordered events, and the summary columns the lists and KPIs read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall.errors import NotFound
from kiosk.models import Visit, VisitEvent

# the event that settles what a visit came to (the latest one counts)
OUTCOMES = {
    "ticket_issued": "ticket",
    "appointment_booked": "appointment",
    "handover": "handover",
    "callback_requested": "callback",
    "guide_alert": "guide",
    "emergency": "emergency",
    "answered": "answer",
}
# what the review lists filter on: every outcome, a visit that just left, and none yet
OUTCOME_FILTERS = (*OUTCOMES.values(), "left", "none")

# the service standard bows to and greets a customer within 2 m (the agent's greeting zone)
GREETING_DISTANCE_M = 2.0


def came_near():
    """SQL: the visits whose customer came within the greeting distance (being greeted says so too).

    Greeting compliance counts only these: someone who stopped at 2.6 m was never owed a greeting.
    """
    return or_(Visit.greeted.is_(True), Visit.nearest_m <= GREETING_DISTANCE_M)


def open_visit(
    s: Session,
    *,
    device_id: str = "",
    track_id: str | None = None,
    at: datetime | None = None,
    language: str = "zh",
) -> Visit:
    visit = Visit(device_id=device_id, track_id=track_id, started_at=at or clock.now(), language=language)
    s.add(visit)
    s.flush()
    return visit


def get_visit(s: Session, visit_id: int) -> Visit:
    visit = s.get(Visit, visit_id)
    if visit is None:
        raise NotFound(f"visit {visit_id} not found", code="visit_not_found")
    return visit


def record(
    s: Session, visit: Visit, kind: str, data: dict[str, Any] | None = None, at: datetime | None = None
) -> VisitEvent:
    """Append an event and keep the visit's summary in step with it."""
    at = at or clock.now()
    data = data or {}
    event = VisitEvent(visit_id=visit.id, at=at, kind=kind, data=data)
    s.add(event)
    measured = [d for d in (data.get("distance_m"), data.get("nearest_m")) if isinstance(d, (int, float))]
    if measured and kind in ("approach", "greeted", "left"):
        visit.nearest_m = min([*measured, *([visit.nearest_m] if visit.nearest_m is not None else [])])
    if kind == "approach":
        visit.approached = True
    elif kind == "greeted":
        visit.greeted = True
        visit.greeting_latency_ms = data.get("latency_ms")
    elif kind == "left":
        visit.ended_at = at
        visit.outcome = visit.outcome or "left"
    elif kind == "triage":
        visit.business_type = data.get("business_type")
        visit.triage_confidence = data.get("confidence")
    elif kind == "guide_decision" and data.get("decision") == "corrected":
        visit.corrected = True
        visit.business_type = data.get("business_type")
    elif kind in OUTCOMES:
        visit.outcome = OUTCOMES[kind]
        if data.get("business_type"):
            visit.business_type = data["business_type"]
    elif kind == "rating":
        visit.rating = data.get("rating")
    s.flush()
    return event


def agent_visit(s: Session, device_id: str, track_id: str) -> Visit | None:
    """The open visit the agent started for this track, if any."""
    return s.scalars(
        select(Visit)
        .where(Visit.device_id == device_id, Visit.track_id == track_id, Visit.ended_at.is_(None))
        .order_by(Visit.id.desc())
        .limit(1)
    ).first()
