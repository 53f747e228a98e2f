"""The guide's verdict on a triage: confirm it, or correct it (the ticket moves, the text becomes training data).

A corrected triage is itself the labelled example: its customer text and the
business type the guide chose. `export_nlu` writes those examples as Rasa NLU
training data (intents are the business-type ids), phone and ID numbers masked.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import audit, live, masking, tickets, visits
from kiosk.hall.context import Hall
from kiosk.hall.errors import Conflict, Invalid, NotFound
from kiosk.hall.triage import LOW as LOW_CONFIDENCE
from kiosk.models import GuideAlert, Ticket, Triage, Visit, VisitEvent

STATUSES = ("pending", "confirmed", "corrected")
DIALOG_LINES = 6
# a button's payload ("/meter_issue", '/inform{"appointment_slot": "3"}') is no customer's words
_PAYLOAD = re.compile(r"^/\w+")


def get(s: Session, triage_id: int) -> Triage:
    triage = s.get(Triage, triage_id)
    if triage is None:
        raise NotFound(f"triage {triage_id} not found", code="triage_not_found")
    return triage


def _decide(triage: Triage, user_id: int | None, at: datetime) -> None:
    if triage.status != "pending":
        raise Conflict(
            f"triage {triage.id} is already {triage.status}",
            code="already_decided",
            details={"status": triage.status},
        )
    triage.decided_by, triage.decided_at = user_id, at


def _after(s: Session, triage: Triage, actor: str, decision: str, at: datetime, **data: Any) -> None:
    visit = s.get(Visit, triage.visit_id)
    record = {"decision": decision, "triage_id": triage.id, "by": actor, **data}
    if visit is not None:
        visits.record(s, visit, "guide_decision", record, at=at)
    audit.log(s, actor, f"triage.{decision}", f"triage:{triage.id}", **data)
    live.publish(
        s,
        "guide",
        "triage_decided",
        {"id": triage.id, "status": triage.status, "corrected_to": triage.corrected_to, "by": actor},
    )


def confirm(
    s: Session, triage: Triage, *, actor: str, user_id: int | None = None, at: datetime | None = None
) -> Triage:
    at = at or clock.now()
    _decide(triage, user_id, at)
    triage.status = "confirmed"
    _after(s, triage, actor, "confirmed", at, business_type=triage.business_type)
    return triage


def correct(
    s: Session,
    hall: Hall,
    triage: Triage,
    business_type: str,
    *,
    actor: str,
    user_id: int | None = None,
    at: datetime | None = None,
) -> tuple[Triage, Ticket | None]:
    """Set the right business type; a ticket still in the hall moves to its queue, keeping its place."""
    bt = hall.business_type(business_type)
    if bt.id == triage.business_type:
        raise Invalid(
            "that is the business type the triage already has; confirm it instead", code="same_business_type"
        )
    at = at or clock.now()
    _decide(triage, user_id, at)
    triage.status, triage.corrected_to = "corrected", bt.id
    ticket = s.get(Ticket, triage.ticket_id) if triage.ticket_id else None
    moved = None
    if ticket is not None and ticket.status in ("waiting", "called", "serving"):
        moved = tickets.transfer(s, hall, ticket, bt.queue, business_type=bt.id, at=at, by=actor)
    _after(
        s,
        triage,
        actor,
        "corrected",
        at,
        business_type=bt.id,
        **{"from": triage.business_type},
        ticket_id=ticket.id if ticket else None,
        queue=bt.queue if moved else None,
    )
    return triage, moved


def pending(s: Session, limit: int = 100) -> list[Triage]:
    return list(
        s.scalars(
            select(Triage)
            .where(Triage.status == "pending")
            .order_by(Triage.created_at.desc(), Triage.id.desc())
            .limit(limit)
        )
    )


def of_ticket(s: Session, ticket_id: int) -> Triage | None:
    """The kiosk's last judgement for the customer holding this ticket."""
    return s.scalars(
        select(Triage).where(Triage.ticket_id == ticket_id).order_by(Triage.id.desc()).limit(1)
    ).first()


def listing(s: Session, status: str | None, limit: int = 100) -> list[Triage]:
    query = select(Triage)
    if status:
        if status not in STATUSES:
            raise Invalid(f"status is one of {', '.join(STATUSES)}", code="invalid_status")
        query = query.where(Triage.status == status)
    return list(s.scalars(query.order_by(Triage.created_at.desc(), Triage.id.desc()).limit(limit)))


def _lines(events: list[VisitEvent], fallback: str) -> list[dict[str, str]]:
    """The last lines of the kiosk dialog (its `dialog_turn` events), masked; else the triage's text."""
    lines: list[dict[str, str]] = []
    for ev in events:
        data = ev.data or {}
        said = data.get("text")
        if isinstance(said, str) and said.strip() and not _PAYLOAD.match(said.strip()):
            lines.append({"speaker": "user", "text": masking.text(said)[:300]})
        for bot in data.get("bot") or []:
            if isinstance(bot, str) and bot.strip():
                lines.append({"speaker": "bot", "text": masking.text(bot)[:300]})
    if not lines and fallback:
        lines.append({"speaker": "user", "text": masking.text(fallback)[:300]})
    return lines[-DIALOG_LINES:]


def dialog_lines(s: Session, triage: Triage) -> list[dict[str, str]]:
    turns = s.scalars(
        select(VisitEvent)
        .where(VisitEvent.visit_id == triage.visit_id, VisitEvent.kind == "dialog_turn")
        .order_by(VisitEvent.id.desc())
        .limit(DIALOG_LINES)
    ).all()
    return _lines(list(reversed(turns)), triage.text)


def as_dicts(s: Session, hall: Hall, triages: list[Triage]) -> list[dict[str, Any]]:
    """The tablet's cards, with a fixed number of queries however many triages there are."""
    if not triages:
        return []
    visit_ids = {t.visit_id for t in triages}
    ticket_ids = {t.ticket_id for t in triages if t.ticket_id}
    tickets_by_id = (
        {t.id: t for t in s.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids)))} if ticket_ids else {}
    )
    asked = set(
        s.scalars(
            select(GuideAlert.visit_id).where(
                GuideAlert.visit_id.in_(visit_ids), GuideAlert.reason == "asked_for_human"
            )
        )
    )
    turns: dict[int, list[VisitEvent]] = {}
    for ev in s.scalars(
        select(VisitEvent)
        .where(VisitEvent.visit_id.in_(visit_ids), VisitEvent.kind == "dialog_turn")
        .order_by(VisitEvent.id)
    ):
        turns.setdefault(ev.visit_id, []).append(ev)
    return [
        _card(
            hall,
            t,
            tickets_by_id.get(t.ticket_id) if t.ticket_id is not None else None,
            t.visit_id in asked,
            _lines(turns.get(t.visit_id, [])[-DIALOG_LINES:], t.text),
        )
        for t in triages
    ]


def as_dict(s: Session, hall: Hall, triage: Triage) -> dict[str, Any]:
    return as_dicts(s, hall, [triage])[0]


def _card(
    hall: Hall, triage: Triage, ticket: Ticket | None, asked: bool, dialog: list[dict[str, str]]
) -> dict[str, Any]:
    bt = hall.taxonomy.get(triage.business_type)
    return {
        "id": triage.id,
        "visit_id": triage.visit_id,
        "created_at": triage.created_at.isoformat(),
        "text": masking.text(triage.text),
        **hall.type_keys(triage.business_type),
        "route": bt.route if bt else None,
        "confidence": triage.confidence,
        "source": triage.source,
        "status": triage.status,
        "corrected_to": triage.corrected_to,
        "decided_at": triage.decided_at.isoformat() if triage.decided_at else None,
        "ticket": {
            "id": ticket.id,
            "number": ticket.number,
            "queue": ticket.queue,
            "status": ticket.status,
            "priority": ticket.priority,
        }
        if ticket
        else None,
        "dialog": dialog,
        "flags": {
            "low_confidence": triage.confidence < LOW_CONFIDENCE,
            "asked_for_human": asked,
            "priority": bool(ticket and ticket.priority),
        },
    }


_SPACE = re.compile(r"\s+")
# triages from a tapped button or the touch menu: their text is a label, not the customer's words
NOT_TYPED = ("button", "menu")


def examples(s: Session, *, include_confirmed: bool = False) -> dict[str, list[str]]:
    """Labelled texts per business type: corrections (and, if asked, confirmations)."""
    wanted = ("corrected", "confirmed") if include_confirmed else ("corrected",)
    out: dict[str, list[str]] = {}
    for text, status, predicted, corrected_to in s.execute(
        select(Triage.text, Triage.status, Triage.business_type, Triage.corrected_to)
        .where(Triage.status.in_(wanted), Triage.source.not_in(NOT_TYPED))
        .order_by(Triage.id)
    ):
        clean = _SPACE.sub(" ", masking.text(text or "")).strip()
        if not clean or _PAYLOAD.match(clean):
            continue
        label = corrected_to if status == "corrected" else predicted
        bucket = out.setdefault(label, [])
        if clean not in bucket:
            bucket.append(clean)
    return dict(sorted(out.items()))


class _Literal(str):
    pass


def _literal(dumper: yaml.SafeDumper, value: _Literal):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


class _NluDumper(yaml.SafeDumper):
    pass


_NluDumper.add_representer(_Literal, _literal)


def export_nlu(s: Session, *, include_confirmed: bool = False) -> str:
    """Rasa 3.x NLU training data of the guides' labels, ready to drop into nlu/."""
    blocks = []
    for intent, texts in examples(s, include_confirmed=include_confirmed).items():
        # each example is one YAML-safe line: "- text"; a text that itself starts a YAML
        # construct stays plain text inside the literal block
        body = "".join(f"- {t}\n" for t in texts)
        blocks.append({"intent": intent, "examples": _Literal(body)})
    doc = {"version": "3.1", "nlu": blocks}
    header = "# Labelled by the hall's guides (GET /api/triages/export): the texts of corrected triages\n"
    return header + yaml.dump(doc, Dumper=_NluDumper, allow_unicode=True, sort_keys=False, width=10_000)
