"""The guides' triage review: the kiosk's judgements to confirm or correct, and a ticket's judgement for its counter."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Integer, String
from apiflask.validators import Length, OneOf, Range

from kiosk.hall import triage_review
from kiosk.web.api import answers
from kiosk.web.api.common import commit
from kiosk.web.auth import caller, require
from kiosk.web.database import db, hall

bp = APIBlueprint("triage_review", __name__, tag="Triage review")
GUIDES = ("guide", "supervisor")


class TriageQuery(Schema):
    status = String(validate=OneOf(list(triage_review.STATUSES)))
    limit = Integer(load_default=100, validate=Range(min=1, max=500))


class CorrectIn(Schema):
    business_type = String(required=True, validate=Length(1, 40))


@bp.get("/api/triages")
@bp.output(answers.Triages)
@require(*GUIDES)
@bp.input(TriageQuery, location="query", arg_name="query")
def list_triages(query):
    s, h = db(), hall()
    rows = triage_review.listing(s, query.get("status"), query["limit"])
    return {"triages": triage_review.as_dicts(s, h, rows)}


@bp.get("/api/triages/<int:triage_id>")
@bp.output(answers.Triage)
@require(*GUIDES)
def one_triage(triage_id: int):
    s = db()
    return triage_review.as_dict(s, hall(), triage_review.get(s, triage_id))


@bp.post("/api/triages/<int:triage_id>/confirm")
@bp.output(answers.Triage)
@require(*GUIDES)
def confirm(triage_id: int):
    s, who = db(), caller()
    triage = triage_review.confirm(s, triage_review.get(s, triage_id), actor=who.name, user_id=who.user_id)
    return commit(triage_review.as_dict(s, hall(), triage))


@bp.post("/api/triages/<int:triage_id>/correct")
@bp.output(answers.Triage)
@require(*GUIDES)
@bp.input(CorrectIn, arg_name="body")
def correct(triage_id: int, body):
    s, h, who = db(), hall(), caller()
    triage, _moved = triage_review.correct(
        s, h, triage_review.get(s, triage_id), body["business_type"], actor=who.name, user_id=who.user_id
    )
    return commit(triage_review.as_dict(s, h, triage))


@bp.get("/api/tickets/<int:ticket_id>/triage")
@bp.output(answers.TicketTriage)
@require("counter", "guide", "supervisor")
def ticket_triage(ticket_id: int):
    """What the kiosk judged for the customer at a counter, and the guide's verdict."""
    s = db()
    found = triage_review.of_ticket(s, ticket_id)
    return {"triage": triage_review.as_dict(s, hall(), found) if found else None}
