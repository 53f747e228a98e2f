"""The kiosk's dialog: relayed to the assistant, every turn kept in the visit log.

When the assistant cannot be reached the session falls back to a touch menu
of business types, and tickets are still issued. The request never holds a
database transaction while it waits for the assistant: the assistant's
actions call back into this server to issue tickets and book appointments.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from apiflask import APIBlueprint, Schema
from apiflask.fields import String
from apiflask.validators import Length
from flask import current_app
from sqlalchemy import select

from kiosk import clock
from kiosk.assistant_client import AssistantClient, AssistantDown
from kiosk.hall import appointments, devices, duty, tickets, triage, validation, visits
from kiosk.hall.errors import Invalid
from kiosk.i18n import t
from kiosk.models import Appointment, GuideAlert, Handover, KioskSession, Ticket
from kiosk.web import admission
from kiosk.web.api.common import commit, kiosk_session, visit_for
from kiosk.web.api.schemas import ID_TEXT, LANG, Id
from kiosk.web.api.tickets import ticket_body
from kiosk.web.auth import require, scope
from kiosk.web.database import db, hall

bp = APIBlueprint("kiosk_sessions", __name__, tag="Kiosk dialog")


class SessionIn(Schema):
    visit_id = Id()
    device_id = String(validate=ID_TEXT)  # a kiosk's own name (default), or kiosk-1 with the shared token
    language = String(load_default="zh", validate=LANG)


class MessageIn(Schema):
    text = String(validate=Length(1, 500))
    payload = String(validate=Length(2, 200))
    language = String(validate=LANG)


class ClassifyIn(Schema):
    text = String(required=True, validate=Length(1, 500))


def assistant() -> AssistantClient:
    settings = current_app.extensions["settings"]
    return AssistantClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout_s)


def menu_messages(lang: str, note: str | None = None) -> list[dict]:
    buttons = [
        {"title": bt.en if lang == "en" else bt.zh, "payload": f"/{bt.id}"}
        for bt in hall().taxonomy.types.values()
    ]
    buttons.append({"title": t("menu.human", lang), "payload": "/request_human"})
    lines = [{"text": note, "buttons": []}] if note else []
    return [*lines, {"text": t("menu.prompt", lang), "buttons": buttons}]


def _relay(kiosk: KioskSession, message: str) -> tuple[list[dict], dict]:
    """One turn with the assistant: its replies and the intent it read. Raises AssistantDown."""
    client = assistant()
    with admission.outside():  # the assistant's actions call back into this server
        replies = client.send(kiosk.id, message, {"language": kiosk.language, "visit_id": kiosk.visit_id})
        try:
            latest = client.latest_message(kiosk.id)
        except AssistantDown:
            latest = {}
    return replies, latest


def _bot_messages(replies: list[dict]) -> list[dict]:
    return [
        {
            "text": r.get("text", ""),
            "buttons": [
                {"title": b.get("title", ""), "payload": b.get("payload", "")} for b in r.get("buttons") or []
            ],
        }
        for r in replies
        if r.get("text") or r.get("buttons")
    ]


def _outcomes(visit_id: int, since: datetime, lang: str) -> dict:
    """What this turn produced for the visit: a ticket, an appointment, a hand-over, an alert."""
    s = db()
    found: dict = {}
    ticket = s.scalars(
        select(Ticket)
        .where(Ticket.visit_id == visit_id, Ticket.issued_at >= since)
        .order_by(Ticket.id.desc())
    ).first()
    if ticket:
        found["ticket"] = ticket_body(ticket)
    appt = s.scalars(
        select(Appointment).where(Appointment.visit_id == visit_id, Appointment.created_at >= since)
    ).first()
    if appt:
        found["appointment"] = appointments.as_dict(appt)
    handover = s.scalars(
        select(Handover).where(Handover.visit_id == visit_id, Handover.created_at >= since)
    ).first()
    if handover:
        found["handover"] = {"id": handover.id, "staff": duty.staff_dict(handover.staff)}
    alert = s.scalars(
        select(GuideAlert).where(GuideAlert.visit_id == visit_id, GuideAlert.created_at >= since)
    ).first()
    if alert:
        found["guide_alert"] = {"id": alert.id, "reason": alert.reason}
    return found


@bp.post("/api/kiosk/sessions")
@require("kiosk")
@bp.input(SessionIn, arg_name="body")
def start(body):
    s, device = db(), scope()
    device_id = body.get("device_id") or (device.name if device and not device.shared else "kiosk-1")
    if device is not None:
        devices.check_device_id(device, device_id)
    visit = visit_for(body.get("visit_id")) or visits.open_visit(s, device_id=device_id)
    visit.language = body["language"]
    now = clock.now()
    kiosk = KioskSession(
        id=uuid.uuid4().hex,
        visit_id=visit.id,
        device_id=device_id,
        language=body["language"],
        mode="assistant",
        created_at=now,
        last_active_at=now,
    )
    s.add(kiosk)
    visits.record(s, visit, "session_start", {"session_id": kiosk.id, "language": kiosk.language})
    s.commit()
    try:
        messages = _bot_messages(_relay(kiosk, "/greet")[0])
    except AssistantDown:
        kiosk = kiosk_session(kiosk.id)
        kiosk.mode = "menu"
        messages = menu_messages(kiosk.language, t("menu.assistant_down", kiosk.language))
    return commit(
        {
            "id": kiosk.id,
            "visit_id": kiosk.visit_id,
            "language": kiosk.language,
            "mode": kiosk.mode,
            "messages": messages,
        },
        201,
    )


@bp.post("/api/kiosk/sessions/<session_id>/messages")
@require("kiosk")
@bp.input(MessageIn, arg_name="body")
def message(session_id: str, body):
    if ("text" in body) == ("payload" in body):
        raise Invalid("send either text or payload", code="text_or_payload")
    s = db()
    kiosk = kiosk_session(session_id)
    if body.get("language"):
        kiosk.language = body["language"]
    text = validation.free_text(body.get("text", ""))
    payload = body.get("payload", "")
    if "text" in body and not text:
        raise Invalid("the message is empty", code="empty_message")
    if payload and not payload.startswith("/"):
        raise Invalid("a payload starts with /", code="bad_payload")
    kiosk.last_active_at = since = clock.now()
    s.commit()
    if kiosk.mode == "menu":
        return _menu_turn(kiosk, payload, text)
    try:
        replies, latest = _relay(kiosk, payload or text)
    except AssistantDown:
        kiosk = kiosk_session(session_id)
        kiosk.mode = "menu"
        return _menu_turn(kiosk, "", text, t("menu.assistant_down", kiosk.language))
    kiosk = kiosk_session(session_id)
    visit = visits.get_visit(s, kiosk.visit_id)
    intent = latest.get("intent") or {}
    messages = _bot_messages(replies)
    visits.record(
        s,
        visit,
        "dialog_turn",
        {
            "text": text or payload,
            "intent": intent.get("name"),
            "confidence": round(intent.get("confidence") or 0.0, 4),
            "bot": [m["text"] for m in messages],
        },
    )
    triaged = None
    if intent.get("name") in hall().taxonomy.types:
        triaged = triage.record(
            s,
            visit,
            intent["name"],
            float(intent.get("confidence") or 0.0),
            text or payload,
            source="button" if payload else "assistant",
        )
    result = {
        "mode": kiosk.mode,
        "language": kiosk.language,
        "messages": messages,
        **_outcomes(visit.id, since, kiosk.language),
    }
    if triaged is not None:
        result["triage"] = {
            "id": triaged.id,
            "business_type": triaged.business_type,
            "confidence": triaged.confidence,
            "route": hall().taxonomy.types[triaged.business_type].route,
        }
    return commit(result)


def _menu_turn(kiosk: KioskSession, payload: str, text: str, note: str | None = None):
    """The touch menu: a chosen business type gets its ticket, hand-over or guide."""
    s, h = db(), hall()
    lang = kiosk.language
    visit = visits.get_visit(s, kiosk.visit_id)
    visits.record(s, visit, "dialog_turn", {"text": text or payload, "mode": "menu"})
    choice = payload[1:] if payload else ""
    result: dict = {"mode": "menu", "language": lang}
    if choice == "request_human":
        alert = duty.alert_guide(s, "asked_for_human", text=text, visit=visit)
        result.update(
            messages=[{"text": t("menu.guide_coming", lang), "buttons": []}],
            guide_alert={"id": alert.id, "reason": alert.reason},
        )
    elif choice in h.taxonomy.types:
        bt = h.taxonomy.types[choice]
        picked = triage.record(s, visit, bt.id, 1.0, bt.zh, source="menu")
        if picked is not None:
            result["triage"] = {"id": picked.id, "business_type": bt.id, "confidence": 1.0, "route": bt.route}
        if bt.route in ("counter", "self_service"):
            ticket = tickets.issue(s, h, bt.id, visit=visit, language=lang, device_id=kiosk.device_id)
            result.update(
                ticket=ticket_body(ticket),
                messages=[{"text": t("menu.ticket", lang, number=ticket.number), "buttons": []}],
            )
        else:
            staff = duty.reachable(s, bt.id)
            if staff:
                handover = duty.hand_over(s, h, bt.id, staff[0].id, visit=visit)
                result.update(
                    handover={"id": handover.id, "staff": duty.staff_dict(staff[0])},
                    messages=[
                        {
                            "text": t("menu.handover", lang, name=staff[0].name, desk=staff[0].desk),
                            "buttons": [],
                        }
                    ],
                )
            else:
                alert = duty.alert_guide(s, "other", text=f"{bt.zh}：需要预约", visit=visit)
                result.update(
                    guide_alert={"id": alert.id, "reason": alert.reason},
                    messages=[{"text": t("menu.guide_coming", lang), "buttons": []}],
                )
    else:
        result["messages"] = menu_messages(lang, note)
    return commit(result)


@bp.post("/api/kiosk/sessions/<session_id>/end")
@require("kiosk")
def end(session_id: str):
    s = db()
    kiosk = kiosk_session(session_id)
    visit = visits.get_visit(s, kiosk.visit_id)
    if not any(e.kind == "session_end" for e in visit.events):
        visits.record(s, visit, "session_end", {"session_id": kiosk.id})
    return commit({"id": kiosk.id, "visit_id": visit.id, "ended": True})


@bp.post("/api/triage/classify")
@require("kiosk", "guide", "supervisor")
@bp.input(ClassifyIn, arg_name="body")
def classify(body):
    text = validation.free_text(body["text"])
    if not text:
        raise Invalid("the text is empty", code="empty_text")
    try:
        with admission.outside():
            parsed = assistant().parse(text)
    except AssistantDown as exc:
        return {"error": {"code": "assistant_unavailable", "message": str(exc), "details": {}}}, 503
    return triage.judge(hall(), parsed)
