"""Judging the business type from the assistant's classification, and recording each triage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import live, masking, validation, visits
from kiosk.hall.context import Hall
from kiosk.models import Triage, Visit

CONFIDENT = 0.5  # below this the kiosk asks again or calls a guide
MARGIN = 0.1  # top two business types closer than this: ambiguous
LOW = 0.7  # the guide's tablet flags triages below this
# a request that names no business ("我有事要办") is ambiguous: the kiosk asks which one
DECLINE_INTENTS = {"out_of_scope": "out_of_scope", "chitchat": "chitchat", "unclear_request": "ambiguous"}


def judge(hall: Hall, parsed: dict) -> dict:
    """Turn Rasa's parse result into the API's classification with a reason to decline."""
    ranking = parsed.get("intent_ranking") or ([parsed["intent"]] if parsed.get("intent") else [])
    business = [r for r in ranking if r.get("name") in hall.taxonomy.types]
    top: dict[str, Any] = ranking[0] if ranking else {"name": None, "confidence": 0.0}
    alternatives = [
        {"business_type": r["name"], "confidence": round(r["confidence"], 4)} for r in business[:3]
    ]
    result = {
        "business_type": None,
        "confidence": round(top.get("confidence") or 0.0, 4),
        "route": None,
        "queue": None,
        "alternatives": alternatives,
        "decline_reason": None,
    }
    name = top.get("name")
    if name in DECLINE_INTENTS:
        result["decline_reason"] = DECLINE_INTENTS[name]
    elif name not in hall.taxonomy.types:
        result["decline_reason"] = "chitchat" if name and name != "nlu_fallback" else "low_confidence"
    elif top["confidence"] < CONFIDENT:
        result["decline_reason"] = "low_confidence"
    elif len(business) > 1 and top["confidence"] - business[1]["confidence"] < MARGIN:
        result["decline_reason"] = "ambiguous"
    else:
        bt = hall.taxonomy.types[name]
        result.update(business_type=bt.id, route=bt.route, queue=bt.queue)
    return result


def record(
    s: Session,
    visit: Visit,
    business_type: str,
    confidence: float,
    text: str,
    source: str,
    flags: list[str] | None = None,
    at: datetime | None = None,
) -> Triage | None:
    """Record a triage unless it repeats the visit's latest one; tell the guides."""
    latest = s.scalars(
        select(Triage).where(Triage.visit_id == visit.id).order_by(Triage.id.desc()).limit(1)
    ).first()
    if latest is not None and latest.business_type == business_type:
        return None
    at = at or clock.now()
    triage = Triage(
        visit_id=visit.id,
        text=validation.free_text(text, limit=2000),
        business_type=business_type,
        confidence=confidence,
        source=source,
        status="pending",
        created_at=at,
    )
    s.add(triage)
    s.flush()
    flags = list(flags or [])
    if confidence < LOW:
        flags.append("low_confidence")
    visits.record(
        s,
        visit,
        "triage",
        {"triage_id": triage.id, "business_type": business_type, "confidence": confidence, "source": source},
        at=at,
    )
    live.publish(
        s,
        "guide",
        "triage",
        {
            "id": triage.id,
            "visit_id": visit.id,
            "business_type": business_type,
            "confidence": confidence,
            "source": source,
            "text": masking.text(triage.text),
            "flags": flags,
            "at": at.isoformat(),
        },
    )
    return triage
