"""The supervisor's views: the visit search, one visit's timeline, and the KPIs.

A visit is found by its filters (period, time window, business type,
outcome, greeting, rating, complaint case, counter, who served) or by what
the customer holds: a ticket number of a day, an appointment code, the last
digits of their phone number. Aggregates run in SQL on the visits' summary
columns so a year of visits answers in well under a second on either engine.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import audit, cases, masking, ratings, visits
from kiosk.hall.context import Hall
from kiosk.hall.errors import Invalid
from kiosk.models import Appointment, AuditEntry, Case, Counter, Snapshot, Ticket, Triage, User, Visit


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise Invalid("dates are YYYY-MM-DD", code="invalid_date") from None


def _time(value: str | None, default: time) -> time:
    try:
        return time.fromisoformat(value) if value else default
    except ValueError:
        raise Invalid("times are HH:MM", code="invalid_time") from None


def period(
    hall: Hall,
    date_from: str | None,
    date_to: str | None,
    time_from: str | None = None,
    time_to: str | None = None,
) -> tuple[datetime, datetime]:
    """[start, end) in UTC for local dates from..to inclusive, today when not given; a time window
    starts on the first day at time_from and ends on the last at time_to."""
    tz = ZoneInfo(hall.tz)
    today = clock.local(clock.now(), hall.tz).date()
    first, last = _date(date_from), _date(date_to)
    first = first or last or today
    last = last or max(first, today)
    if last < first:
        raise Invalid("date_to is before date_from", code="invalid_period")
    if (last - first).days > 400:
        raise Invalid("a period is at most 400 days", code="invalid_period")
    start = datetime.combine(first, _time(time_from, time()), tz)
    end = (
        datetime.combine(last, _time(time_to, time()), tz)
        if time_to
        else datetime.combine(last + timedelta(days=1), time(), tz)
    )
    if end <= start:
        raise Invalid("the time window ends before it starts", code="invalid_period")
    return start, end


def today(hall: Hall) -> date:
    return clock.local(clock.now(), hall.tz).date()


def _through_appointment(condition) -> Any:
    """SQL: the visits of the appointments matching `condition`: the booking, and the ticket of the check-in."""
    return or_(
        Visit.id.in_(select(Appointment.visit_id).where(condition)),
        Visit.id.in_(
            select(Ticket.visit_id)
            .join(Appointment, Ticket.appointment_id == Appointment.id)
            .where(condition)
        ),
    )


def _local_hour(s: Session, hall: Hall, col):
    if s.get_bind().dialect.name == "postgresql":
        return cast(func.extract("hour", func.timezone(hall.tz, col)), Float)
    utc_offset = clock.now().astimezone(ZoneInfo(hall.tz)).utcoffset()
    assert utc_offset is not None  # astimezone() gives an aware datetime
    offset = utc_offset.total_seconds() / 3600
    return cast(func.strftime("%H", col, f"{offset:+.0f} hours"), Float)


def visit_list(
    s: Session,
    hall: Hall,
    *,
    date_from=None,
    date_to=None,
    time_from=None,
    time_to=None,
    ticket=None,
    day=None,
    appointment=None,
    phone4=None,
    counter=None,
    staff=None,
    case=None,
    business_type=None,
    outcome=None,
    corrected=None,
    greeting=None,
    low_rating=None,
    limit=50,
    offset=0,
    late_greeting_ms: int = 500,
) -> dict[str, Any]:
    """The visits matching every filter given, newest first. A ticket number is of its service day
    (`day`, today unless given) and an appointment code is unique: these two search every day
    unless a period is given; every other search is within the period (today by default)."""
    where: list[Any] = []
    if ticket:
        on = _date(day) or today(hall)
        numbered = select(Ticket.visit_id).where(Ticket.service_day == on, Ticket.number == ticket.upper())
        where.append(Visit.id.in_(numbered))
    if appointment:
        where.append(_through_appointment(Appointment.code == appointment.strip().upper()))
    if not (ticket or appointment) or date_from or date_to or time_from or time_to:
        start, end = period(hall, date_from, date_to, time_from, time_to)
        where += [Visit.started_at >= start, Visit.started_at < end]
    if phone4:
        where.append(_through_appointment(Appointment.phone.endswith(phone4, autoescape=True)))
    if counter is not None:
        where.append(Visit.id.in_(select(Ticket.visit_id).where(Ticket.counter_id == counter)))
    if staff is not None:
        where.append(Visit.id.in_(select(Ticket.visit_id).where(Ticket.served_by == staff)))
    if case == "any":
        where.append(Visit.id.in_(select(Case.visit_id)))
    elif case == "open":
        where.append(Visit.id.in_(select(Case.visit_id).where(Case.status == "open")))
    if business_type:
        where.append(Visit.business_type == business_type)
    if outcome:
        where.append(Visit.outcome.is_(None) if outcome == "none" else Visit.outcome == outcome)
    if corrected is not None:
        where.append(Visit.corrected.is_(corrected))
    if greeting == "missed":
        where += [visits.came_near(), Visit.greeted.is_(False)]
    elif greeting == "late":
        where += [Visit.greeted.is_(True), Visit.greeting_latency_ms > late_greeting_ms]
    elif greeting == "ok":
        where += [Visit.greeted.is_(True), Visit.greeting_latency_ms <= late_greeting_ms]
    if low_rating is not None:
        where.append(Visit.rating <= 2 if low_rating else or_(Visit.rating > 2, Visit.rating.is_(None)))
    total = s.scalar(select(func.count()).select_from(Visit).where(*where))
    rows = s.scalars(
        select(Visit)
        .where(*where)
        .order_by(Visit.started_at.desc(), Visit.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    served = _service_of(s, [v.id for v in rows])
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "visits": [{**summary(v), "tickets": served.get(v.id, [])} for v in rows],
    }


def _service_of(s: Session, visit_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each listed visit's tickets: number, counter and who served, in one query for the page."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not visit_ids:
        return out
    for visit_id, number, status, counter, served_by in s.execute(
        select(Ticket.visit_id, Ticket.number, Ticket.status, Counter.name, User.username)
        .outerjoin(Counter, Ticket.counter_id == Counter.id)
        .outerjoin(User, Ticket.served_by == User.id)
        .where(Ticket.visit_id.in_(visit_ids))
        .order_by(Ticket.id)
    ):
        out.setdefault(visit_id, []).append(
            {"number": number, "status": status, "counter": counter, "served_by": served_by}
        )
    return out


def summary(v: Visit) -> dict[str, Any]:
    return {
        "id": v.id,
        "device_id": v.device_id,
        "started_at": v.started_at.isoformat(),
        "ended_at": v.ended_at.isoformat() if v.ended_at else None,
        "business_type": v.business_type,
        "outcome": v.outcome,
        "greeted": v.greeted,
        "approached": v.approached,
        "greeting_latency_ms": v.greeting_latency_ms,
        "triage_confidence": v.triage_confidence,
        "corrected": v.corrected,
        "rating": v.rating,
        "language": v.language,
        "nearest_m": v.nearest_m,
    }


def visit_timeline(s: Session, visit: Visit) -> dict[str, Any]:
    """Everything that happened in one visit, in order; phone and ID numbers masked. Its tickets
    with their counter part (called, serving, done, by whom) and rating; its cases."""
    tickets = s.scalars(select(Ticket).where(Ticket.visit_id == visit.id).order_by(Ticket.id)).all()
    triages = s.scalars(select(Triage).where(Triage.visit_id == visit.id).order_by(Triage.id)).all()
    snaps = s.scalars(select(Snapshot).where(Snapshot.visit_id == visit.id)).all()
    return {
        **summary(visit),
        "events": [
            {"id": e.id, "at": e.at.isoformat(), "kind": e.kind, "data": masking.deep(e.data)}
            for e in visit.events
        ],
        "tickets": [
            {
                "id": t.id,
                "number": t.number,
                "queue": t.queue,
                "status": t.status,
                "business_type": t.business_type,
                "priority": t.priority,
                "issued_at": t.issued_at.isoformat(),
                "called_at": t.called_at.isoformat() if t.called_at else None,
                "serving_at": t.serving_at.isoformat() if t.serving_at else None,
                "finished_at": t.finished_at.isoformat() if t.finished_at else None,
                "quoted_wait_min": t.quoted_wait_min,
                "wait_s": t.wait_s,
                "service_s": t.service_s,
                "counter": t.counter.name if t.counter else None,
                "served_by": _username(s, t.served_by),
                "rating": _rating_of(s, t.id),
            }
            for t in tickets
        ],
        "cases": [cases.as_dict(s, c, notes=False) for c in cases.of_visit(s, visit.id)],
        "triages": [
            {
                "id": t.id,
                "text": masking.text(t.text),
                "business_type": t.business_type,
                "confidence": t.confidence,
                "source": t.source,
                "status": t.status,
                "corrected_to": t.corrected_to,
            }
            for t in triages
        ],
        "snapshots": [
            {"id": p.id, "url": f"/api/visits/{visit.id}/snapshots/{p.id}", "at": p.created_at.isoformat()}
            for p in snaps
        ],
    }


def _username(s: Session, user_id: int | None) -> str | None:
    user = s.get(User, user_id) if user_id else None
    return user.username if user else None


def _rating_of(s: Session, ticket_id: int) -> dict[str, Any] | None:
    found = ratings.for_ticket(s, ticket_id)
    return ratings.as_dict(s, found) if found else None


def _quantile(s: Session, value, where: list, q: float, n: int) -> float | None:
    """The q-quantile (nearest rank) of `value` over the n rows matching `where` (counted with the
    period's other figures), sorted in SQL."""
    if not n:
        return None
    k = int(round(q * (n - 1)))
    x = s.scalar(select(value).where(*where, value.is_not(None)).order_by(value).limit(1).offset(k))
    return None if x is None else float(x)


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(x, nd)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def kpis(
    s: Session,
    hall: Hall,
    *,
    date_from=None,
    date_to=None,
    target_wait_min: float = 15.0,
    late_greeting_ms: int = 500,
) -> dict[str, Any]:
    start, end = period(hall, date_from, date_to)
    in_period = and_(Visit.started_at >= start, Visit.started_at < end)

    hour = _local_hour(s, hall, Visit.started_at)
    arrivals = {int(h): n for h, n in s.execute(select(hour, func.count()).where(in_period).group_by(hour))}

    v = s.execute(
        select(
            func.count(),
            func.sum(case((Visit.approached.is_(True), 1), else_=0)),
            func.sum(case((Visit.greeted.is_(True), 1), else_=0)),
            func.avg(Visit.greeting_latency_ms),
            func.sum(case((Visit.greeting_latency_ms > late_greeting_ms, 1), else_=0)),
            func.sum(case((visits.came_near(), 1), else_=0)),
            func.count(Visit.greeting_latency_ms),
        ).where(in_period)
    ).one()
    greeted_latency = [in_period, Visit.greeting_latency_ms.is_not(None)]

    wait_min = Ticket.wait_s / 60.0
    called = [Ticket.issued_at >= start, Ticket.issued_at < end, Ticket.wait_s.is_not(None)]
    by_queue = s.execute(
        select(
            Ticket.queue,
            func.count(),
            func.avg(wait_min),
            func.sum(case((wait_min <= target_wait_min, 1), else_=0)),
            func.sum(func.abs(Ticket.quoted_wait_min - wait_min)),
            func.sum(Ticket.quoted_wait_min - wait_min),
        )
        .where(*called)
        .group_by(Ticket.queue)
        .order_by(Ticket.queue)
    ).all()
    n_called = sum(row[1] for row in by_queue)

    accuracy: dict[str, dict[str, float]] = {}
    for bt, status, n in s.execute(
        select(Triage.business_type, Triage.status, func.count())
        .where(
            Triage.created_at >= start, Triage.created_at < end, Triage.status.in_(("confirmed", "corrected"))
        )
        .group_by(Triage.business_type, Triage.status)
    ):
        accuracy.setdefault(bt, {"confirmed": 0, "corrected": 0})[status] = n
    for counts in accuracy.values():
        counts["accuracy"] = round(counts["confirmed"] / (counts["confirmed"] + counts["corrected"]), 3)

    appts = dict(
        s.execute(
            select(Appointment.status, func.count())
            .where(Appointment.created_at >= start, Appointment.created_at < end)
            .group_by(Appointment.status)
        )
        .tuples()
        .all()
    )
    ratings = {
        rating: n
        for rating, n in s.execute(
            select(Visit.rating, func.count())
            .where(in_period, Visit.rating.is_not(None))
            .group_by(Visit.rating)
        )
        if rating is not None  # none are: the query leaves them out
    }
    rated = sum(ratings.values())

    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "visits": v[0],
        "arrivals_per_hour": {f"{h:02d}": arrivals.get(h, 0) for h in range(24)},
        "wait_by_queue": {
            row[0]: {
                "tickets": row[1],
                "mean_min": _r(float(row[2])),
                "p90_min": _r(
                    _minutes(_quantile(s, Ticket.wait_s, [*called, Ticket.queue == row[0]], 0.9, row[1]))
                ),
            }
            for row in by_queue
        },
        "served_within_target": {
            "target_min": target_wait_min,
            "share": _r(sum(row[3] for row in by_queue) / n_called, 3) if n_called else None,
        },
        "greeting": {
            "approached": v[1] or 0,
            "within_2m": v[5] or 0,
            "greeted": v[2] or 0,
            "compliance": _r((v[2] or 0) / v[5], 3) if v[5] else None,
            "latency_mean_ms": _r(float(v[3]), 0) if v[3] is not None else None,
            "latency_p95_ms": _r(_quantile(s, Visit.greeting_latency_ms, greeted_latency, 0.95, v[6]), 0),
            "late": v[4] or 0,
            "late_threshold_ms": late_greeting_ms,
        },
        "triage_accuracy": accuracy,
        "quoted_wait_error_min": {
            "mean_abs": _r(sum(float(row[4]) for row in by_queue) / n_called) if n_called else None,
            "mean_signed": _r(sum(float(row[5]) for row in by_queue) / n_called) if n_called else None,
        },
        "appointments": {k: appts.get(k, 0) for k in ("booked", "checked_in", "no_show", "cancelled")},
        "satisfaction": {
            "ratings": {str(k): ratings.get(k, 0) for k in range(1, 6)},
            "mean": _r(sum(k * n for k, n in ratings.items()) / rated, 2) if rated else None,
        },
    }


def kpi_rows(k: dict) -> list[list]:
    """The KPI document as (section, key, measure, value) rows."""
    rows: list[list] = [
        ["period", "from", "", k["period"]["from"]],
        ["period", "to", "", k["period"]["to"]],
        ["visits", "", "count", k["visits"]],
    ]
    rows += [["arrivals_per_hour", h, "count", n] for h, n in k["arrivals_per_hour"].items()]
    for q, w in k["wait_by_queue"].items():
        rows += [["wait_by_queue", q, m, w[m]] for m in ("tickets", "mean_min", "p90_min")]
    rows += [["served_within_target", "", m, v] for m, v in k["served_within_target"].items()]
    rows += [["greeting", "", m, v] for m, v in k["greeting"].items()]
    for bt, c in k["triage_accuracy"].items():
        rows += [["triage_accuracy", bt, m, c[m]] for m in ("confirmed", "corrected", "accuracy")]
    rows += [["quoted_wait_error_min", "", m, v] for m, v in k["quoted_wait_error_min"].items()]
    rows += [["appointments", "", m, v] for m, v in k["appointments"].items()]
    rows += [["satisfaction", level, "count", n] for level, n in k["satisfaction"]["ratings"].items()]
    rows.append(["satisfaction", "", "mean", k["satisfaction"]["mean"]])
    return rows


PACK_VIEWED = "visit.pack_viewed"


def pack_viewed(s: Session, visit_id: int, actor: str) -> list[tuple[datetime, str]]:
    """Someone opens a visit's evidence pack: audited; everyone who has, this one included, in order."""
    audit.log(s, actor, PACK_VIEWED, f"visit:{visit_id}")
    s.flush()
    return [
        (at, who)
        for at, who in s.execute(
            select(AuditEntry.at, AuditEntry.actor)
            .where(AuditEntry.action == PACK_VIEWED, AuditEntry.target == f"visit:{visit_id}")
            .order_by(AuditEntry.id)
        )
    ]
