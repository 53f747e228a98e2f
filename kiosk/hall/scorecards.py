"""Scorecards: one row per person over a period, for counter staff, guides and back-office staff.

- Counter staff (and anyone who served at a counter): the tickets they
  served (done), handling time, the wait of those served, their ratings
  (count, mean, share of 差评 ≤ 2), no-shows and transfers. A ticket counts
  for whoever served it (hall/counters.py), in the period it was finished.
- Guides, in total and per shift (a shift is a login, hall/shifts.py): the
  greetings given against the customers who came within the greeting
  distance while they were on shift, the triages they confirmed and
  corrected, the guide alerts they answered and how fast.
- Back-office staff (the duty roster): the hand-overs they accepted, the
  time from the offer to them to accepting it, the call-backs they marked
  done.

Every figure is an aggregate in SQL, so a year of visits answers within a second.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from kiosk.hall import ratings, visits
from kiosk.models import (
    AuditEntry,
    Callback,
    DutyStaff,
    GuideAlert,
    Handover,
    Rating,
    StaffShift,
    Ticket,
    Triage,
    User,
    Visit,
)


def report(s: Session, start: datetime, end: datetime, *, user_id: int | None = None) -> list[dict[str, Any]]:
    """Every person's row for [start, end); with `user_id`, that person's rows alone."""
    return (
        counter_rows(s, start, end, user_id)
        + guide_rows(s, start, end, user_id)
        + backoffice_rows(s, start, end, user_id)
    )


def _seconds(s: Session, later, earlier):
    """SQL: seconds from `earlier` to `later`, as a float, on either engine."""
    if s.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _r(x: Any, nd: int = 1) -> float | None:
    return None if x is None else round(float(x), nd)


def _minutes(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 60, 1)


def _by_first(s: Session, query) -> dict[Any, Any]:
    """A query's rows by their first column (the person)."""
    return {row[0]: row for row in s.execute(query)}


def _people(s: Session, role: str, user_id: int | None, also: set[int]) -> list[User]:
    """The active accounts of a role, and the accounts named in `also` whatever their role."""
    found = s.scalars(
        select(User)
        .where(or_(and_(User.role == role, User.active.is_(True)), User.id.in_(also)))
        .order_by(User.id)
    ).all()
    return [u for u in found if user_id is None or u.id == user_id]


def counter_rows(
    s: Session, start: datetime, end: datetime, user_id: int | None = None
) -> list[dict[str, Any]]:
    done = Ticket.status == "done"
    where = [
        Ticket.served_by.is_not(None),
        Ticket.finished_at >= start,
        Ticket.finished_at < end,
        Ticket.status.in_(("done", "no_show")),
    ]
    if user_id is not None:
        where.append(Ticket.served_by == user_id)
    # two queries: the tickets' figures come from ix_ticket_served_by alone, the ratings join only the rated
    figures = _by_first(
        s,
        select(
            Ticket.served_by,
            func.sum(case((done, 1), else_=0)).label("served"),
            func.avg(case((done, Ticket.service_s))).label("handling_s"),
            func.avg(case((done, Ticket.wait_s))).label("wait_s"),
            func.sum(case((Ticket.status == "no_show", 1), else_=0)).label("no_shows"),
        )
        .where(*where)
        .group_by(Ticket.served_by),
    )
    rated = _by_first(
        s,
        select(
            Ticket.served_by,
            func.count().label("ratings"),
            func.avg(cast(Rating.rating, Float)).label("avg_rating"),
            func.sum(case((Rating.rating <= ratings.LOW, 1), else_=0)).label("bad"),
        )
        .join(Ticket, Rating.ticket_id == Ticket.id)
        .where(*where)
        .group_by(Ticket.served_by),
    )
    transfers = dict(
        s.execute(
            select(AuditEntry.actor, func.count())
            .where(AuditEntry.action == "ticket.transferred", AuditEntry.at >= start, AuditEntry.at < end)
            .group_by(AuditEntry.actor)
        )
        .tuples()
        .all()
    )
    rows = []
    for user in _people(s, "counter", user_id, set(figures)):
        f, r = figures.get(user.id), rated.get(user.id)
        served, handling, wait, no_shows = (
            (f.served or 0, f.handling_s, f.wait_s, f.no_shows or 0) if f else (0, None, None, 0)
        )
        count, avg, bad = (r.ratings, r.avg_rating, r.bad or 0) if r else (0, None, 0)
        rows.append(
            {
                "kind": "counter",
                "id": user.id,
                "name": user.username,
                "role": user.role,
                "served": served,
                "avg_handling_min": _minutes(handling),
                "avg_wait_min": _minutes(wait),
                "ratings": count,
                "avg_rating": _r(avg, 2),
                "bad_share": _r(bad / count, 3) if count else None,
                "no_shows": no_shows,
                "transfers": transfers.get(user.username, 0),
            }
        )
    return rows


def guide_rows(
    s: Session, start: datetime, end: datetime, user_id: int | None = None
) -> list[dict[str, Any]]:
    guides = _people(s, "guide", user_id, set())
    if not guides:
        return []
    ids = [g.id for g in guides]
    decided = dict(
        ((who, status), n)
        for who, status, n in s.execute(
            select(Triage.decided_by, Triage.status, func.count())
            .where(Triage.decided_by.in_(ids), Triage.decided_at >= start, Triage.decided_at < end)
            .group_by(Triage.decided_by, Triage.status)
        )
    )
    answered = {
        who: (n, avg)
        for who, n, avg in s.execute(
            select(
                GuideAlert.resolved_by,
                func.count(),
                func.avg(_seconds(s, GuideAlert.resolved_at, GuideAlert.created_at)),
            )
            .where(
                GuideAlert.resolved_by.in_(ids), GuideAlert.resolved_at >= start, GuideAlert.resolved_at < end
            )
            .group_by(GuideAlert.resolved_by)
        )
    }
    shifts = _shifts(s, start, end, ids)
    rows = []
    for g in guides:
        mine = [x for x in shifts if x["user_id"] == g.id]
        near, greeted = sum(x["within_2m"] for x in mine), sum(x["greeted"] for x in mine)
        n, response = answered.get(g.id, (0, None))
        rows.append(
            {
                "kind": "guide",
                "id": g.id,
                "name": g.username,
                "role": g.role,
                "within_2m": near,
                "greeted": greeted,
                "greeting_compliance": _r(greeted / near, 3) if near else None,
                "triages_confirmed": decided.get((g.id, "confirmed"), 0),
                "triages_corrected": decided.get((g.id, "corrected"), 0),
                "alerts_answered": n,
                "alert_response_s": _r(response, 0),
                "shifts": [{k: v for k, v in x.items() if k != "user_id"} for x in mine],
            }
        )
    return rows


def _shifts(s: Session, start: datetime, end: datetime, user_ids: list[int]) -> list[dict[str, Any]]:
    """The guides' shifts overlapping the period, each with what happened on it (within the period)."""
    found = s.scalars(
        select(StaffShift)
        .where(StaffShift.user_id.in_(user_ids), StaffShift.started_at < end, StaffShift.ended_at > start)
        .order_by(StaffShift.started_at)
    ).all()
    if not found:
        return []
    ids = [x.id for x in found]
    on = StaffShift.id.in_(ids)

    def during(col):
        return and_(col >= StaffShift.started_at, col < StaffShift.ended_at, col >= start, col < end)

    greetings = {
        shift: (near or 0, greeted or 0)
        for shift, near, greeted in s.execute(
            select(StaffShift.id, func.count(), func.sum(case((Visit.greeted.is_(True), 1), else_=0)))
            .join(Visit, during(Visit.started_at))
            .where(on, visits.came_near())
            .group_by(StaffShift.id)
        )
    }
    decided = {
        (shift, status): n
        for shift, status, n in s.execute(
            select(StaffShift.id, Triage.status, func.count())
            .join(Triage, and_(Triage.decided_by == StaffShift.user_id, during(Triage.decided_at)))
            .where(on)
            .group_by(StaffShift.id, Triage.status)
        )
    }
    answered = {
        shift: (n, avg)
        for shift, n, avg in s.execute(
            select(
                StaffShift.id,
                func.count(),
                func.avg(_seconds(s, GuideAlert.resolved_at, GuideAlert.created_at)),
            )
            .join(
                GuideAlert, and_(GuideAlert.resolved_by == StaffShift.user_id, during(GuideAlert.resolved_at))
            )
            .where(on)
            .group_by(StaffShift.id)
        )
    }
    out = []
    for x in found:
        near, greeted = greetings.get(x.id, (0, 0))
        n, response = answered.get(x.id, (0, None))
        out.append(
            {
                "user_id": x.user_id,
                "start": x.started_at.isoformat(),
                "end": x.ended_at.isoformat(),
                "within_2m": near,
                "greeted": greeted,
                "greeting_compliance": _r(greeted / near, 3) if near else None,
                "triages_confirmed": decided.get((x.id, "confirmed"), 0),
                "triages_corrected": decided.get((x.id, "corrected"), 0),
                "alerts_answered": n,
                "alert_response_s": _r(response, 0),
            }
        )
    return out


def backoffice_rows(
    s: Session, start: datetime, end: datetime, user_id: int | None = None
) -> list[dict[str, Any]]:
    """The duty roster's people (a back-office account is linked to one, hall/accounts.py): the
    hand-overs they accepted in the period and the time from the offer to them to their acceptance
    (hall/handovers.py), the call-backs their account marked done (hall/callbacks.py)."""
    people = select(DutyStaff).order_by(DutyStaff.id)
    if user_id is not None:
        people = people.join(User, User.staff_id == DutyStaff.id).where(User.id == user_id)
    accepted = _by_first(
        s,
        select(
            Handover.staff_id,
            func.count().label("accepted"),
            func.avg(_seconds(s, Handover.accepted_at, Handover.offered_at)).label("accept_s"),
        )
        .where(Handover.accepted_at >= start, Handover.accepted_at < end)
        .group_by(Handover.staff_id),
    )
    called_back = dict(
        s.execute(
            select(User.staff_id, func.count())
            .join(Callback, Callback.updated_by == User.username)
            .where(
                User.staff_id.is_not(None),
                Callback.status == "done",
                Callback.updated_at >= start,
                Callback.updated_at < end,
            )
            .group_by(User.staff_id)
        )
        .tuples()
        .all()
    )
    rows = []
    for p in s.scalars(people):
        a = accepted.get(p.id)
        rows.append(
            {
                "kind": "backoffice",
                "id": p.id,
                "name": p.name,
                "role": "backoffice",
                "desk": p.desk,
                "handovers_accepted": a.accepted if a else 0,
                "accept_s": _r(a.accept_s, 0) if a else None,
                "callbacks_done": called_back.get(p.id, 0),
            }
        )
    return rows
