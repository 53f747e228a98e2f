"""The routing decision as a service, call-backs taken at the kiosk, and the replies both build on.

`POST /api/route` is asked by the assistant's actions and by the kiosk screen
when it has no dialog session; the touch menu asks kiosk/hall/outcomes.py in
the same process. Every reply names what was made by id and carries the
hall's own wording (kiosk/i18n).
"""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, Schema
from apiflask.fields import String
from apiflask.validators import Length, OneOf

from kiosk.hall import callbacks, duty, outcomes, routing, utterance
from kiosk.hall.utterance import Reading
from kiosk.i18n import t
from kiosk.models import Appointment, Callback, GuideAlert, Handover, Ticket, Visit
from kiosk.web.api import answers
from kiosk.web.api.appointments import booking_body
from kiosk.web.api.common import commit, idempotent, origin, visit_for
from kiosk.web.api.desk import handover_body
from kiosk.web.api.schemas import LANG, Id
from kiosk.web.api.tickets import ticket_body
from kiosk.web.auth import require
from kiosk.web.database import db, hall

bp = APIBlueprint("routing", __name__, tag="Routing")
# the reasons a customer may be given a guide when asking for a person
PERSON_REASONS = ("asked_for_human", "out_of_scope", "low_confidence", "complaint")


class RouteIn(Schema):
    business_type = String(validate=Length(1, 40))
    wants = String(load_default="service", validate=OneOf(list(routing.WANTS)))
    why = String(load_default="asked_for_human", validate=OneOf(list(PERSON_REASONS)))
    urgency = String(validate=OneOf(list(utterance.URGENCIES)))
    question = String(validate=OneOf(list(utterance.QUESTIONS)))
    faq = String(validate=Length(1, 60))
    text = String(load_default="", validate=Length(0, 500))
    language = String(load_default="zh", validate=LANG)
    visit_id = Id()
    session_id = String(validate=Length(1, 40))


class CallbackIn(Schema):
    business_type = String(required=True, validate=Length(1, 40))
    name = String(required=True, validate=Length(1, 40))
    phone = String(required=True, validate=Length(1, 20))
    language = String(load_default="zh", validate=LANG)
    visit_id = Id()
    session_id = String(validate=Length(1, 40))


# what a reply may name by id, and how each is shown
def _ticket(obj: Ticket) -> dict:
    return ticket_body(obj)


def _handover(obj: Handover) -> dict:
    return handover_body(obj)


def _alert(obj: GuideAlert) -> dict:
    return duty.alert_dict(obj)


def _callback(obj: Callback) -> dict:
    return callbacks.as_dict(hall(), obj)


def _appointment(obj: Appointment) -> dict:
    return booking_body(obj)


MADE: dict[str, tuple[type, Any]] = {
    "ticket": (Ticket, _ticket),
    "handover": (Handover, _handover),
    "guide_alert": (GuideAlert, _alert),
    "callback": (Callback, _callback),
    "appointment": (Appointment, _appointment),
}
# what a reply may carry as it is: no record behind it
FACTS = ("decision", "emergency", "answer", "callback")


def made_bodies(made: dict[str, int], visit: Visit | None) -> dict[str, dict]:
    """The records named by id, shown; one of another visit than the caller's is left out."""
    s = db()
    shown: dict[str, dict] = {}
    for kind, record_id in made.items():
        model, show = MADE[kind]
        obj = s.get(model, record_id)
        if obj is not None and (visit is None or obj.visit_id == visit.id):
            shown[kind] = show(obj)
    return shown


# the touch menu's own payloads besides /<business type>
HUMAN, TICKET, MENU = "/request_human", "/ticket:", "/menu"


def menu_payload(offer: str, business_type: str | None) -> str:
    """The touch menu's payload for an offered choice: take the ticket (or go ahead), or back to the menu."""
    return f"{TICKET}{business_type}" if offer in ("ticket", "proceed") and business_type else MENU


def routed_body(routed: outcomes.Routed, visit: Visit | None) -> dict:
    """The decision, its lines, the choices offered (each with its touch-menu payload), what was made."""
    business_type = routed.decision.business_type
    return {
        "decision": routed.decision.as_dict(),
        "messages": [{"text": line, "buttons": []} for line in routed.lines],
        "offers": [{**o, "payload": menu_payload(o["id"], business_type)} for o in routed.offers],
        **routed.facts,
        **made_bodies(routed.made, visit),
    }


@bp.post("/api/route")
@bp.output(answers.Routed, status_code=201)
@require("kiosk", "assistant")
@idempotent
@bp.input(RouteIn, arg_name="body")
def route(body):
    """Decide what the hall does for this customer now, do it, and say it in their language."""
    visit, kiosk = origin(body.get("visit_id"), body.get("session_id"))
    reading = Reading(urgency=body.get("urgency"), question=body.get("question"), faq=body.get("faq"))
    routed = outcomes.route(
        db(),
        hall(),
        business_type=body.get("business_type"),
        reading=reading,
        visit=visit,
        language=body["language"],
        wants=body["wants"],
        why=body["why"],
        text=body["text"],
        kiosk=kiosk,
    )
    return commit(lambda: routed_body(routed, visit), 201)


@bp.post("/api/callbacks")
@bp.output(answers.CallbackMade, status_code=201)
@require("kiosk", "assistant", "guide", "supervisor")
@idempotent
@bp.input(CallbackIn, arg_name="body")
def request_callback(body):
    """The customer's name and phone for a call-back by the business's department."""
    s, h = db(), hall()
    visit = visit_for(body.get("visit_id"), body.get("session_id"))
    lang = body["language"]
    callback, created = callbacks.request(
        s, h, body["business_type"], body["name"], body["phone"], visit=visit, language=lang
    )
    desk = outcomes.callback_desk(s, callback.business_type, lang)
    text = t("route.callback.taken", lang, desk=desk, phone=callbacks.as_dict(h, callback)["phone_masked"])
    reply = {
        **callbacks.as_dict(h, callback),
        "messages": [{"text": text, "buttons": []}],
        "offers": [outcomes.offer("appointment", lang), outcomes.offer("wait_call", lang)],
    }
    return commit(reply, 201 if created else 200)
