"""Complaint cases: the supervisor opens one on a visit, adds notes, closes it with a finding."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Integer, String
from apiflask.validators import Length, OneOf, Range

from kiosk.hall import cases, visits
from kiosk.web.api import answers
from kiosk.web.api.common import commit
from kiosk.web.auth import require, staff_user
from kiosk.web.bounds import MAX_OFFSET
from kiosk.web.database import db

bp = APIBlueprint("cases", __name__, tag="Cases")


class CaseIn(Schema):
    reason = String(required=True, validate=OneOf(list(cases.REASONS)))
    account = String(load_default="", validate=Length(0, 2000))


class NoteIn(Schema):
    text = String(required=True, validate=Length(1, 2000))


class CloseIn(Schema):
    finding = String(required=True, validate=Length(1, 2000))


class CasesQuery(Schema):
    status = String(validate=OneOf(list(cases.STATUSES)))
    origin = String(validate=OneOf(["complaint", "rating"]))
    limit = Integer(load_default=50, validate=Range(min=1, max=500))
    offset = Integer(load_default=0, validate=Range(min=0, max=MAX_OFFSET))


@bp.get("/api/cases")
@bp.output(answers.Cases)
@require("supervisor")
@bp.input(CasesQuery, location="query", arg_name="query")
def list_cases(query):
    return cases.listing(db(), **query)


@bp.post("/api/visits/<int:visit_id>/cases")
@bp.output(answers.Case, status_code=201)
@require("supervisor")
@bp.input(CaseIn, arg_name="body")
def open_case(visit_id: int, body):
    s = db()
    case = cases.open_case(s, visits.get_visit(s, visit_id), body["reason"], body["account"], staff_user())
    return commit(lambda: cases.as_dict(s, case), 201)


@bp.get("/api/cases/<int:case_id>")
@bp.output(answers.Case)
@require("supervisor")
def one_case(case_id: int):
    s = db()
    return cases.as_dict(s, cases.get(s, case_id))


@bp.post("/api/cases/<int:case_id>/notes")
@bp.output(answers.Case, status_code=201)
@require("supervisor")
@bp.input(NoteIn, arg_name="body")
def add_note(case_id: int, body):
    s = db()
    case = cases.get(s, case_id)
    cases.add_note(s, case, body["text"], staff_user())
    return commit(lambda: cases.as_dict(s, case), 201)


@bp.post("/api/cases/<int:case_id>/close")
@bp.output(answers.Case)
@require("supervisor")
@bp.input(CloseIn, arg_name="body")
def close_case(case_id: int, body):
    s = db()
    case = cases.close(s, cases.get(s, case_id), body["finding"], staff_user())
    return commit(lambda: cases.as_dict(s, case))
