"""Carrying out a routing decision for a visit, and what the customer is told (kiosk/i18n).

`route` asks kiosk/hall/routing.py for the decision and makes what it says: a
ticket, a hand-over, a guide alert (urgent ones first on the tablet), nothing
for an answer or a call-back form. The reply is worded here, in the
customer's language, for every channel alike: the assistant's actions relay
it, the touch menu and the kiosk screen show it. What was made is named by
id. Nothing is given twice: a visit's waiting ticket, hand-over under way or
open alert of the same kind is given again instead of a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import duty, handovers, read_aloud, tickets, visits
from kiosk.hall.context import Hall
from kiosk.hall.hours import ALL_WEEK, Hours
from kiosk.hall.routing import BACK_OFFICE, URGENT_BUSINESS, Decision, decide
from kiosk.hall.utterance import Reading
from kiosk.i18n import t
from kiosk.models import GuideAlert, Handover, Ticket, Visit


@dataclass
class Routed:
    """A decision carried out: the lines to say, the choices offered, what was made (by id)."""

    decision: Decision
    lines: list[str]
    # choices the customer may take next: {"id": ticket|proceed|no_ticket|self_service|..., "title"}
    offers: list[dict[str, str]] = field(default_factory=list)
    made: dict[str, int] = field(default_factory=dict)  # ticket | handover | guide_alert -> id
    # emergency {kind, line, safety?}, answer {question, business_type, materials, faq, text},
    # callback {business_type, desk}: the form to fill
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """Whose decision is carried out: their visit, language and words, their kiosk, the time."""

    visit: Visit | None
    lang: str
    text: str
    at: datetime
    kiosk: str | None


def route(
    s: Session,
    hall: Hall,
    *,
    business_type: str | None,
    reading: Reading,
    visit: Visit | None,
    language: str,
    wants: str = "service",
    why: str = "asked_for_human",
    text: str = "",
    kiosk: str | None = None,
    at: datetime | None = None,
) -> Routed:
    """`kiosk`: the kiosk where the customer stands, whose ticket it is (kiosk/hall/devices.py)."""
    at = at or clock.now()

    def reachable(bt: str):
        return [duty.person(p) for p in duty.reachable(s, hall, bt, at)]

    decision = decide(
        hall, business_type, reading, reachable, open_now=hall.is_open(at), wants=wants, why=why
    )
    if visit is not None:
        visits.record(
            s,
            visit,
            "routed",
            {
                "outcome": decision.outcome,
                "business_type": decision.business_type,
                "urgency": decision.urgency,
                "question": decision.question,
                "faq": decision.faq,
                "closed": decision.closed,
            },
            at=at,
        )
    return _ACTS[decision.outcome](s, hall, decision, Turn(visit, language, text, at, kiosk))


def _ticket(s: Session, hall: Hall, d: Decision, turn: Turn) -> Routed:
    assert d.business_type is not None
    ticket = _waiting_ticket(s, turn.visit, d.business_type) or tickets.issue(
        s, hall, d.business_type, visit=turn.visit, language=turn.lang, at=turn.at, device_id=turn.kiosk
    )
    shown = tickets.as_dict(s, hall, ticket, language=turn.lang)
    line = t(
        "route.ticket",
        turn.lang,
        number=ticket.number,
        ahead=max((shown["position"] or 1) - 1, 0),
        wait=round(shown["estimated_wait_min"]),
    )
    return Routed(d, [*_start(hall, d.business_type, turn.lang), line], made={"ticket": ticket.id})


def _self_service(s: Session, hall: Hall, d: Decision, turn: Turn) -> Routed:
    assert d.business_type is not None
    if d.closed:
        return Routed(d, [t("route.self_service.closed", turn.lang, hours=hours_text(hall.hours, turn.lang))])
    offers = [offer("ticket", turn.lang), offer("self_service", turn.lang)]
    return Routed(d, [*_start(hall, d.business_type, turn.lang), t("route.self_service", turn.lang)], offers)


def _handover(s: Session, hall: Hall, d: Decision, turn: Turn) -> Routed:
    assert d.business_type is not None and d.person is not None
    handover = _open_handover(s, turn.visit, d.business_type) or handovers.offer(
        s, hall, d.business_type, duty.get(s, d.person.id), visit=turn.visit, text=turn.text, at=turn.at
    )
    line = handovers.customer_line(handover, turn.lang)
    return Routed(d, [*_start(hall, d.business_type, turn.lang), line], made={"handover": handover.id})


def _callback(s: Session, hall: Hall, d: Decision, turn: Turn) -> Routed:
    assert d.business_type is not None
    desk = callback_desk(s, d.business_type, turn.lang)
    if d.closed:
        line = t("route.callback.closed", turn.lang, desk=desk, hours=hours_text(hall.hours, turn.lang))
    else:
        line = t("route.callback", turn.lang, desk=desk)
    return Routed(
        d,
        [*_start(hall, d.business_type, turn.lang), line],
        facts={"callback": {"id": None, "business_type": d.business_type, "desk": desk}},
    )


def _guide(s: Session, hall: Hall, d: Decision, turn: Turn) -> Routed:
    alert = _open_alert(s, turn.visit, d.alert) or duty.alert_guide(
        s, d.alert or "other", text=turn.text, visit=turn.visit, at=turn.at
    )
    key = "route.guide.question" if d.alert == "question" else "route.guide"
    return Routed(d, [t(key, turn.lang)], made={"guide_alert": alert.id})


def _emergency(s: Session, hall: Hall, d: Decision, turn: Turn) -> Routed:
    """A guide at once (an urgent alert), and the dispatcher or duty manager when reachable."""
    assert d.urgency is not None
    made: dict[str, int] = {}
    alert = _open_alert(s, turn.visit, d.urgency) or duty.alert_guide(
        s, d.urgency, text=turn.text, visit=turn.visit, at=turn.at
    )
    made["guide_alert"] = alert.id
    if d.person is not None:
        business = URGENT_BUSINESS[d.urgency]
        handover = _open_handover(s, turn.visit, business) or handovers.offer(
            s,
            hall,
            business,
            duty.get(s, d.person.id),
            visit=turn.visit,
            urgent=True,
            text=turn.text,
            at=turn.at,
        )
        made["handover"] = handover.id
        summoned = t("route.summoned.person", turn.lang, name=d.person.name, desk=d.person.desk)
    else:
        summoned = t("route.summoned.guide", turn.lang)
    first = t(f"route.emergency.{d.urgency}", turn.lang, line=hall.emergency_line)
    facts: dict[str, Any] = {"kind": d.urgency, "line": hall.emergency_line}
    if d.urgency == "danger":
        facts["safety"] = first
        if turn.visit is not None and turn.visit.device_id:  # spoken as well as shown
            read_aloud.read(s, turn.visit.device_id, first, turn.lang)
    if turn.visit is not None:
        visits.record(
            s,
            turn.visit,
            "emergency",
            {
                "kind": d.urgency,
                "line": hall.emergency_line,
                "summoned": d.person.name if d.person else "guide",
            },
            at=turn.at,
        )
    return Routed(d, [first, summoned], made=made, facts={"emergency": facts})


def _answer(s: Session, hall: Hall, d: Decision, turn: Turn) -> Routed:
    facts: dict[str, Any] = {"question": d.question, "business_type": d.business_type, "faq": d.faq}
    offers: list[dict[str, str]] = []
    entry = hall.reader.faq.get(d.faq) if d.question == "faq" and d.faq else None
    if entry is not None:
        lines = [entry.answer(turn.lang)]
    elif d.question == "materials" and d.business_type:
        bt = hall.business_type(d.business_type)
        materials = list(bt.materials_en if turn.lang == "en" else bt.materials_zh)
        facts["materials"] = materials
        lines = [
            t(
                "route.answer.materials",
                turn.lang,
                name=_name(hall, bt.id, turn.lang),
                items=_items(materials),
            )
        ]
        if not d.closed or bt.route in BACK_OFFICE:
            proceed = "proceed" if bt.route in BACK_OFFICE else "ticket"
            lines.append(t(f"route.answer.offer.{proceed}", turn.lang))
            offers = [offer(proceed, turn.lang), offer("no_ticket", turn.lang)]
    else:  # a counter business while the hall is closed
        assert d.business_type is not None
        lines = [
            *_start(hall, d.business_type, turn.lang),
            t("route.answer.closed", turn.lang, hours=hours_text(hall.hours, turn.lang)),
        ]
    facts["text"] = "\n".join(lines)
    if turn.visit is not None:
        visits.record(
            s,
            turn.visit,
            "answered",
            {"question": d.question, "business_type": d.business_type, "faq": d.faq, "closed": d.closed},
            at=turn.at,
        )
    return Routed(d, lines, offers, facts={"answer": facts})


_ACTS = {
    "ticket": _ticket,
    "self_service": _self_service,
    "handover": _handover,
    "callback": _callback,
    "guide": _guide,
    "emergency": _emergency,
    "answer": _answer,
}


def _start(hall: Hall, business_type: str, lang: str) -> list[str]:
    bt = hall.business_type(business_type)
    materials = list(bt.materials_en if lang == "en" else bt.materials_zh)
    line = t("route.start", lang, name=_name(hall, business_type, lang))
    if materials:
        line += "\n" + t("route.materials", lang, items=_items(materials))
    return [line]


def _name(hall: Hall, business_type: str, lang: str) -> str:
    return hall.business_type(business_type).in_sentence(lang)


def _items(materials: list[str]) -> str:
    return "\n".join(f"{i}. {m}" for i, m in enumerate(materials, start=1))


def offer(kind: str, lang: str) -> dict[str, str]:
    return {"id": kind, "title": t(f"route.offer.{kind}", lang)}


def _waiting_ticket(s: Session, visit: Visit | None, business_type: str) -> Ticket | None:
    if visit is None:
        return None
    return s.scalars(
        select(Ticket)
        .where(Ticket.visit_id == visit.id, Ticket.business_type == business_type, Ticket.status == "waiting")
        .limit(1)
    ).first()


def _open_handover(s: Session, visit: Visit | None, business_type: str) -> Handover | None:
    return handovers.open_for(s, visit, business_type) if visit is not None else None


def _open_alert(s: Session, visit: Visit | None, reason: str | None) -> GuideAlert | None:
    if visit is None or reason is None:
        return None
    return s.scalars(
        select(GuideAlert)
        .where(GuideAlert.visit_id == visit.id, GuideAlert.reason == reason, GuideAlert.resolved_at.is_(None))
        .limit(1)
    ).first()


def callback_desk(s: Session, business_type: str, lang: str) -> str:
    """The department that calls back: the desk of the first person on the roster for the business."""
    roster = duty.takes(s, business_type)
    return roster[0].desk if roster else t("route.callback.desk", lang)


def hours_text(hours: Hours | None, lang: str) -> str:
    if hours is None:
        return ""
    span = {"start": f"{hours.start:%H:%M}", "end": f"{hours.end:%H:%M}"}
    if hours.weekdays == ALL_WEEK:
        return t("route.hours.every_day", lang, **span)
    names = t("route.weekdays", lang).split()
    days = [names[d - 1] for d in hours.weekdays]
    contiguous = list(hours.weekdays) == list(range(hours.weekdays[0], hours.weekdays[-1] + 1))
    if contiguous and len(days) > 2:
        shown = t("route.weekday_span", lang, first=days[0], last=days[-1])
    else:
        shown = " ".join(days)
    return t("route.hours.days", lang, days=shown, **span)
