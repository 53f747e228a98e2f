"""The kiosk's dialog: relayed to the assistant, every turn kept in the visit log.

Every typed turn is read by the hall first (kiosk/hall/turns.py): an urgent
case or a question reaches the assistant as what it is. When the assistant
cannot be reached the session falls back to a touch menu of business types,
which asks the same routing decision. What a turn made comes back by id, in
the actions' custom payloads; one turn is one Idempotency-Key, passed to the
actions, so a repeated turn never makes anything twice. The request never
holds a database transaction while it waits for the assistant: the
assistant's actions call back into this server.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict

from apiflask import APIBlueprint, Schema
from apiflask.fields import String
from apiflask.validators import Length
from flask import current_app, request

from kiosk import clock
from kiosk.assistant_client import AssistantClient, AssistantDown
from kiosk.hall import devices, outcomes, triage, turns, validation, visits
from kiosk.hall.errors import Invalid
from kiosk.hall.utterance import Reading
from kiosk.i18n import t
from kiosk.models import KioskSession, Visit
from kiosk.web import admission
from kiosk.web.api import answers
from kiosk.web.api.common import commit, idempotent, kiosk_session, visit_for
from kiosk.web.api.routing import FACTS, HUMAN, MADE, TICKET, made_bodies, routed_body
from kiosk.web.api.schemas import ID_TEXT, LANG, Id
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
    buttons.append({"title": t("menu.human", lang), "payload": HUMAN})
    lines = [{"text": note, "buttons": []}] if note else []
    return [*lines, {"text": t("menu.prompt", lang), "buttons": buttons}]


def _read(text: str) -> tuple[dict, Reading, str]:
    """The NLU's parse of a typed turn, what the words say, and the message the assistant gets."""
    parse = assistant().parse(text)
    reading = hall().reader.read(text, parse)
    return parse, reading, turns.assistant_message(text, parse, reading, hall().taxonomy)


def _relay(kiosk: KioskSession, message: str, turn: str, typed: str) -> tuple[list[dict], dict]:
    """One turn with the assistant: its replies and the conversation after it. Raises AssistantDown."""
    client = assistant()
    metadata = {"language": kiosk.language, "visit_id": kiosk.visit_id, "turn": turn, "text": typed}
    replies = client.send(kiosk.id, message, metadata)
    try:
        tracker = client.tracker(kiosk.id)
    except AssistantDown:
        tracker = {}
    return replies, tracker


def _form(tracker: dict) -> dict:
    """The form the assistant is filling and the slot it asks for: the screen offers a digit pad for numbers."""
    name = (tracker.get("active_loop") or {}).get("name")
    if not name:
        return {}
    return {"form": {"name": name, "requested_slot": (tracker.get("slots") or {}).get("requested_slot")}}


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


def _outcomes(visit: Visit, replies: list[dict]) -> dict:
    """What the turn's actions made, named by id in their custom payloads, and what they decided."""
    made: dict[str, int] = {}
    facts: dict[str, dict] = {}
    for reply in replies:
        custom = reply.get("custom") or {}
        kind = custom.get("type")
        if kind in MADE and isinstance(custom.get("id"), int):
            made[kind] = custom["id"]
        elif kind in FACTS:
            facts[kind] = {k: v for k, v in custom.items() if k != "type"}
    return {**facts, **made_bodies(made, visit)}


def _turn_key() -> str:
    return request.headers.get("Idempotency-Key", "").strip() or uuid.uuid4().hex


@bp.post("/api/kiosk/sessions")
@bp.output(answers.SessionStarted, status_code=201)
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
        with admission.outside():  # the assistant's actions call back into this server
            messages = _bot_messages(_relay(kiosk, "/greet", _turn_key(), "")[0])
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
@bp.output(answers.Turn)
@require("kiosk")
@idempotent
@bp.input(MessageIn, arg_name="body")
def message(session_id: str, body):
    if ("text" in body) == ("payload" in body):
        raise Invalid("send either text or payload", code="text_or_payload")
    s = db()
    kiosk = kiosk_session(session_id)
    text = validation.free_text(body.get("text", ""))
    kiosk.language = body.get("language") or turns.written_in(text) or kiosk.language
    payload = body.get("payload", "")
    if "text" in body and not text:
        raise Invalid("the message is empty", code="empty_message")
    if payload and not payload.startswith("/"):
        raise Invalid("a payload starts with /", code="bad_payload")
    kiosk.last_active_at = clock.now()
    s.commit()
    if kiosk.mode == "menu":
        return _menu_turn(kiosk, payload, text)
    parse: dict = {}
    reading = Reading()
    try:
        with admission.outside():  # the assistant's actions call back into this server
            sent = payload
            if text:
                parse, reading, sent = _read(text)
            replies, tracker = _relay(kiosk, sent, _turn_key(), text)
    except AssistantDown:
        kiosk = kiosk_session(session_id)
        kiosk.mode = "menu"
        return _menu_turn(kiosk, "", text, t("menu.assistant_down", kiosk.language))
    kiosk = kiosk_session(session_id)
    visit = visits.get_visit(s, kiosk.visit_id)
    # a typed turn is judged by its parse; a tapped button by the intent of its payload
    intent = (parse if text else tracker.get("latest_message") or {}).get("intent") or {}
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
            **({"reading": asdict(reading)} if reading != Reading() else {}),
        },
    )
    result = {
        "mode": kiosk.mode,
        "language": kiosk.language,
        "messages": messages,
        **_outcomes(visit, replies),
        **_form(tracker),
    }
    if intent.get("name") in hall().taxonomy.types:
        # only words the customer typed become the triage's text (the NLU's future examples)
        triaged = triage.record(
            s,
            visit,
            intent["name"],
            float(intent.get("confidence") or 0.0),
            text,
            source="assistant" if text else "button",
        )
        if triaged is not None:
            result["triage"] = _triage_body(triaged)
    return commit(result)


def _triage_body(triaged) -> dict:
    return {
        "id": triaged.id,
        "business_type": triaged.business_type,
        "confidence": triaged.confidence,
        "route": hall().taxonomy.types[triaged.business_type].route,
    }


def _menu_turn(kiosk: KioskSession, payload: str, text: str, note: str | None = None):
    """The touch menu: a chosen business, a typed urgent case or question, or a person, routed by the hall."""
    s, h = db(), hall()
    lang = kiosk.language
    visit = visits.get_visit(s, kiosk.visit_id)
    visits.record(s, visit, "dialog_turn", {"text": text or payload, "mode": "menu"})
    wants, choice = "service", payload[1:]
    if payload == HUMAN:
        wants, choice = "person", ""
    elif payload.startswith(TICKET):
        wants, choice = "ticket", payload[len(TICKET) :]
    reading = h.reader.read(text) if text else Reading()
    result: dict = {"mode": "menu", "language": lang}
    business = choice if choice in h.taxonomy.types else None
    if business is None and wants != "person" and reading == Reading():
        result["messages"] = menu_messages(lang, note)
        return commit(result)
    if business and wants == "service":
        picked = triage.record(s, visit, business, 1.0, "", source="menu")
        if picked is not None:
            result["triage"] = _triage_body(picked)
    routed = outcomes.route(
        s,
        h,
        business_type=business,
        reading=reading,
        visit=visit,
        language=lang,
        wants=wants,
        text=text,
        kiosk=kiosk.device_id,
    )
    body = routed_body(routed, visit)
    buttons = [{"title": o["title"], "payload": o["payload"]} for o in body.pop("offers")]
    if buttons:
        body["messages"][-1]["buttons"] = buttons
    result.update(body)
    return commit(result)


@bp.post("/api/kiosk/sessions/<session_id>/end")
@bp.output(answers.SessionEnded)
@require("kiosk")
def end(session_id: str):
    s = db()
    kiosk = kiosk_session(session_id)
    visit = visits.get_visit(s, kiosk.visit_id)
    if not any(e.kind == "session_end" for e in visit.events):
        visits.record(s, visit, "session_end", {"session_id": kiosk.id})
    return commit({"id": kiosk.id, "visit_id": visit.id, "ended": True})


@bp.post("/api/triage/classify")
@bp.output(answers.Judgement)
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
