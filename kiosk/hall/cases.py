"""Complaint cases: a supervisor opens one on a visit, adds notes and closes it with a finding.

A low rating (hall/ratings.py) opens one by itself: the follow-up item the
supervisor works like any case. The customer's account and the notes are
masked wherever staff read them; each step is on the visit's timeline and in
the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import audit, masking, visits
from kiosk.hall.errors import Conflict, Invalid, NotFound
from kiosk.models import Case, CaseNote, Rating, Ticket, User, Visit

# why a supervisor opens a case; a low rating opens one as LOW_RATING
REASONS = ("attitude", "waiting", "misrouted", "business_error", "environment", "other")
LOW_RATING = "low_rating"
STATUSES = ("open", "closed")


def get(s: Session, case_id: int) -> Case:
    found = s.get(Case, case_id)
    if found is None:
        raise NotFound(f"case {case_id} not found", code="case_not_found")
    return found


def open_case(
    s: Session, visit: Visit, reason: str, account: str, user: User, at: datetime | None = None
) -> Case:
    if reason not in REASONS:
        raise Invalid(f"reason is one of {', '.join(REASONS)}", code="invalid_reason")
    ticket_id = s.scalar(
        select(Ticket.id).where(Ticket.visit_id == visit.id).order_by(Ticket.id.desc()).limit(1)
    )
    return _open(s, "complaint", reason, account.strip(), visit.id, ticket_id, user, at or clock.now())


def follow_up(s: Session, ticket: Ticket, rating: Rating, at: datetime) -> Case:
    """The supervisor's follow-up of a low rating, with the customer's comment as their account."""
    return _open(s, "rating", LOW_RATING, rating.comment, ticket.visit_id, ticket.id, None, at)


def _open(
    s: Session,
    origin: str,
    reason: str,
    account: str,
    visit_id: int | None,
    ticket_id: int | None,
    user: User | None,
    at: datetime,
) -> Case:
    case = Case(
        visit_id=visit_id,
        ticket_id=ticket_id,
        origin=origin,
        reason=reason,
        account=account,
        status="open",
        opened_at=at,
        opened_by=user.id if user else None,
        finding="",
    )
    s.add(case)
    s.flush()
    by = user.username if user else "rating"
    audit.log(s, by, "case.open", f"case:{case.id}", at=at, visit_id=visit_id, reason=reason)
    if visit_id is not None:
        visits.record(
            s, visits.get_visit(s, visit_id), "case_opened", {"case_id": case.id, "reason": reason}, at=at
        )
    return case


def add_note(s: Session, case: Case, text: str, user: User, at: datetime | None = None) -> CaseNote:
    _still_open(case)
    if not text.strip():
        raise Invalid("a note has some text", code="empty_note")
    note = CaseNote(case_id=case.id, at=at or clock.now(), user_id=user.id, text=text.strip())
    s.add(note)
    s.flush()
    audit.log(s, user.username, "case.note", f"case:{case.id}", at=note.at)
    return note


def close(s: Session, case: Case, finding: str, user: User, at: datetime | None = None) -> Case:
    _still_open(case)
    if not finding.strip():
        raise Invalid("a case closes with a finding", code="empty_finding")
    at = at or clock.now()
    case.status, case.closed_at, case.closed_by, case.finding = "closed", at, user.id, finding.strip()
    audit.log(s, user.username, "case.close", f"case:{case.id}", at=at)
    if case.visit_id is not None:
        visits.record(s, visits.get_visit(s, case.visit_id), "case_closed", {"case_id": case.id}, at=at)
    return case


def _still_open(case: Case) -> None:
    if case.status != "open":
        raise Conflict(f"case {case.id} is closed", code="case_closed")


def listing(
    s: Session, status: str | None = None, origin: str | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    where = []
    if status:
        where.append(Case.status == status)
    if origin:
        where.append(Case.origin == origin)
    total = s.scalar(select(func.count()).select_from(Case).where(*where))
    rows = s.scalars(
        select(Case).where(*where).order_by(Case.opened_at.desc(), Case.id.desc()).limit(limit).offset(offset)
    ).all()
    return {"total": total, "cases": [as_dict(s, c, notes=False) for c in rows]}


def of_visit(s: Session, visit_id: int) -> list[Case]:
    return list(s.scalars(select(Case).where(Case.visit_id == visit_id).order_by(Case.id)))


def _name(s: Session, user_id: int | None) -> str | None:
    user = s.get(User, user_id) if user_id else None
    return user.username if user else None


def as_dict(s: Session, case: Case, *, notes: bool = True) -> dict[str, Any]:
    """What staff read: the customer's account, the notes and the finding masked."""
    out: dict[str, Any] = {
        "id": case.id,
        "visit_id": case.visit_id,
        "ticket_id": case.ticket_id,
        "origin": case.origin,
        "reason": case.reason,
        "account": masking.text(case.account),
        "status": case.status,
        "opened_at": case.opened_at.isoformat(),
        "opened_by": _name(s, case.opened_by),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "closed_by": _name(s, case.closed_by),
        "finding": masking.text(case.finding),
    }
    if notes:
        out["notes"] = [
            {"id": n.id, "at": n.at.isoformat(), "by": _name(s, n.user_id), "text": masking.text(n.text)}
            for n in case.notes
        ]
    return out
