"""The supervisor's complaint cases: the list (complaints and low-rating follow-ups), one case with
its notes, and the forms that open a case on a visit, add a note and close it with a finding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apiflask import APIBlueprint
from flask import redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from kiosk.hall import cases, visits
from kiosk.hall.errors import HallError
from kiosk.models import Case, User
from kiosk.web.auth import csrf
from kiosk.web.bounds import query_int
from kiosk.web.database import db
from kiosk.web.pages.staff_auth import page, render, secure_headers

bp = APIBlueprint("staff_cases", __name__, tag="Pages", enable_openapi=False)
bp.after_request(secure_headers)
PAGE_SIZE = 50


@bp.get("/staff/review/cases")
@page("supervisor")
def cases_page():
    status = request.args.get("status") if request.args.get("status") in cases.STATUSES else None
    origin = request.args.get("origin") if request.args.get("origin") in ("complaint", "rating") else None
    offset = query_int("offset", 0) or 0
    found = cases.listing(db(), status, origin, PAGE_SIZE, offset)
    return render(
        "staff/cases.html", found=found, status=status, origin=origin, offset=offset, page_size=PAGE_SIZE
    )


def _case(case_id: int, error: str | None = None, status: int = 200):
    s = db()
    return render("staff/case.html", c=cases.as_dict(s, cases.get(s, case_id)), error=error), status


@bp.get("/staff/review/cases/<int:case_id>")
@page("supervisor")
def case_page(case_id: int):
    return _case(case_id)


def _me() -> User:
    user = db().get(User, current_user.id)
    assert user is not None  # page() let a logged-in, active account through
    return user


@bp.post("/staff/review/visits/<int:visit_id>/cases")
@page("supervisor")
def open_case(visit_id: int):
    csrf.protect()
    s = db()
    case = cases.open_case(
        s,
        visits.get_visit(s, visit_id),
        request.form.get("reason", ""),
        request.form.get("account", "")[:2000],
        _me(),
    )
    s.commit()
    return redirect(url_for("staff_cases.case_page", case_id=case.id))


def _work(case_id: int, step: Callable[[Session, Case], Any]):
    """One step on a case from its page's form: done, or the page again with what was wrong."""
    csrf.protect()
    s = db()
    try:
        step(s, cases.get(s, case_id))
    except HallError as exc:
        s.rollback()
        return _case(case_id, exc.message, exc.status)
    s.commit()
    return redirect(url_for("staff_cases.case_page", case_id=case_id))


@bp.post("/staff/review/cases/<int:case_id>/notes")
@page("supervisor")
def add_note(case_id: int):
    return _work(case_id, lambda s, case: cases.add_note(s, case, request.form.get("text", "")[:2000], _me()))


@bp.post("/staff/review/cases/<int:case_id>/close")
@page("supervisor")
def close_case(case_id: int):
    return _work(case_id, lambda s, case: cases.close(s, case, request.form.get("finding", "")[:2000], _me()))
