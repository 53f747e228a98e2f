"""The back-office desk: presence, the hand-overs addressed to its person, the department's call-backs.

A `backoffice` account is linked to its entry in the duty roster
(`create-user NAME --role backoffice --staff <name>`); every call here acts as
that person. The customer's phone follows a hand-over on its status link.
"""

from __future__ import annotations

from datetime import timedelta

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, Integer, String
from apiflask.validators import OneOf, Range

from kiosk import clock
from kiosk.hall import callbacks, duty, handovers
from kiosk.i18n import language
from kiosk.models import DutyStaff
from kiosk.web import links
from kiosk.web.api import answers
from kiosk.web.api.common import commit
from kiosk.web.auth import caller, public, require
from kiosk.web.database import db, hall

bp = APIBlueprint("desk", __name__, tag="Back-office desk")
DESK = "backoffice"
# the accepted hand-overs a desk keeps in its list
SHIFT_LIST = timedelta(hours=12)


class PresenceIn(Schema):
    available = Boolean(required=True, truthy={True}, falsy={False})


class AcceptIn(Schema):
    meet = String(load_default="kiosk", validate=OneOf(list(handovers.MEETING)))


class CallbacksQuery(Schema):
    status = String(validate=OneOf(list(callbacks.STATUSES)))
    limit = Integer(load_default=100, validate=Range(min=1, max=500))


class CallbackStatusIn(Schema):
    status = String(required=True, validate=OneOf(list(callbacks.WORKED)))


class LangQuery(Schema):
    lang = String(load_default="zh", validate=OneOf(["zh", "en"]))


def me() -> DutyStaff:
    return duty.of_user(db(), caller().user_id)


def desk_or_none() -> DutyStaff | None:
    """The caller's desk; None for a supervisor, who sees every department."""
    return None if caller().role in ("supervisor", "admin") else me()


def handover_body(h) -> dict:
    return {**handovers.as_dict(hall(), h), "status_url": links.url("handover", h.id)}


def handover_by_link(token: str):
    return handovers.get(db(), links.record_id("handover", token))


@bp.get("/api/desk/me")
@bp.output(answers.DutyPerson)
@require(DESK)
def who_am_i():
    return duty.staff_dict(hall(), me())


@bp.post("/api/desk/presence")
@bp.output(answers.DutyPerson)
@require(DESK)
@bp.input(PresenceIn, arg_name="body")
def presence(body):
    """Available for hand-overs now (the roster says when one may be)."""
    s, person = db(), me()
    duty.set_presence(s, hall(), person, body["available"], actor=caller().name)
    return commit(duty.staff_dict(hall(), person))


@bp.get("/api/desk/handovers")
@bp.output(answers.Handovers)
@require(DESK)
def desk_handovers():
    rows = handovers.for_desk(db(), me(), since=clock.now() - SHIFT_LIST)
    return {"handovers": [handover_body(h) for h in rows]}


@bp.post("/api/handovers/<int:handover_id>/accept")
@bp.output(answers.Handover)
@require(DESK)
@bp.input(AcceptIn, arg_name="body")
def accept(handover_id: int, body):
    s = db()
    h = handovers.accept(s, hall(), handovers.get(s, handover_id), me(), meet=body["meet"])
    return commit(handover_body(h))


@bp.post("/api/handovers/<int:handover_id>/decline")
@bp.output(answers.Handover)
@require(DESK)
def decline(handover_id: int):
    s = db()
    h = handovers.decline(s, hall(), handovers.get(s, handover_id), me())
    return commit(handover_body(h))


@bp.post("/api/handovers/<int:handover_id>/not-found")
@bp.output(answers.Handover)
@require(DESK)
def not_found(handover_id: int):
    s = db()
    h = handovers.customer_not_found(s, hall(), handovers.get(s, handover_id), me())
    return commit(handover_body(h))


@bp.get("/api/handovers")
@bp.output(answers.Handovers)
@require("guide", "supervisor")
def under_way():
    """The guides' view: hand-overs offered or accepted, to whom."""
    return {"handovers": [handover_body(h) for h in handovers.under_way(db())]}


@bp.get("/api/handovers/status/<token>")
@bp.output(answers.HandoverStatus)
@public
@bp.input(LangQuery, location="query", arg_name="query")
def public_status(token: str, query):
    """What the customer's phone shows about their hand-over (no login; the link is signed)."""
    h = handover_by_link(token)
    lang = language(query["lang"])
    return {"status": h.status, "line": handovers.customer_line(h, lang), "business_type": h.business_type}


@bp.get("/api/desk/callbacks")
@bp.output(answers.Callbacks)
@require(DESK, "supervisor")
@bp.input(CallbacksQuery, location="query", arg_name="query")
def desk_callbacks(query):
    """The department's call-backs, newest first; phone numbers masked."""
    s, h, person = db(), hall(), desk_or_none()
    rows = (
        callbacks.for_desk(s, person, query.get("status"), query["limit"])
        if person is not None
        else callbacks.every(s, query.get("status"), query["limit"])
    )
    return {"callbacks": [callbacks.as_dict(h, c) for c in rows]}


@bp.post("/api/callbacks/<int:callback_id>/status")
@bp.output(answers.Callback)
@require(DESK, "supervisor")
@bp.input(CallbackStatusIn, arg_name="body")
def callback_status(callback_id: int, body):
    s = db()
    c = callbacks.set_status(
        s, callbacks.get(s, callback_id), body["status"], actor=caller().name, person=desk_or_none()
    )
    return commit(callbacks.as_dict(hall(), c))


@bp.post("/api/callbacks/<int:callback_id>/phone")
@bp.output(answers.CallbackPhone)
@require(DESK, "supervisor")
def callback_phone(callback_id: int):
    """The full number, for the person about to call; the read is audited."""
    s = db()
    phone = callbacks.phone_for(s, callbacks.get(s, callback_id), actor=caller().name, person=desk_or_none())
    return commit({"id": callback_id, "phone": phone})
