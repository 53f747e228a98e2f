"""Queue tickets: numbering, positions, calling and every status change.

Numbers come from an atomic increment of one row per queue and service day
(never from reading the maximum), and a ticket is claimed for a counter by
a conditional update, so two counters can never call the same ticket.
Every status change after the issue is written to the audit log with who made it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Date, bindparam, insert, select, text, update
from sqlalchemy.orm import Session, make_transient_to_detached

from kiosk import clock
from kiosk.hall import audit, counters, live, queue_order, visits, waits
from kiosk.hall.context import Hall
from kiosk.hall.errors import Conflict, Invalid, NotFound
from kiosk.models import Appointment, AppointmentSlot, Counter, Ticket, TicketSequence, Triage, User, Visit

# who a guide may give a priority ticket (绿色通道)
PRIORITY_REASONS = ("elderly", "disabled", "pregnant")
# status -> the statuses it may move to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "waiting": ("called", "cancelled"),
    "called": ("serving", "done", "no_show", "called"),
    "serving": ("done",),
}


# one atomic upsert, the same SQL on both engines (SQLite >= 3.35); kept as text because
# SQLAlchemy does not cache the compiled form of its dialect upserts, and this runs on every ticket
_NEXT_NUMBER = text(
    f"INSERT INTO {TicketSequence.__tablename__} (queue, service_day, last_number) VALUES (:queue, :day, 1) "
    "ON CONFLICT (queue, service_day) DO UPDATE SET last_number = "
    f"{TicketSequence.__tablename__}.last_number + 1 RETURNING last_number"
).bindparams(bindparam("day", type_=Date()))

# who waits ahead of a ticket, per business type: built once, run with the ticket's values
_AHEAD = waits.WAITING_BY_TYPE.where(
    queue_order.ahead_of(bindparam("rank"), bindparam("order_at"), bindparam("id"))
)
_INSERT = insert(Ticket).returning(Ticket.id)
_AFTER_ALL = 2**31 - 1  # past every ticket id (the key is a 32-bit integer on PostgreSQL)


def _next_number(s: Session, queue: str, day) -> int:
    """Advance the queue's counter for the day in one atomic upsert and return the new number.

    With a numbering engine (PostgreSQL: kiosk.db.make_numbering_engine) the
    upsert commits on its own, so a number whose ticket then fails is
    skipped: a gap, never a duplicate. Else it joins the session's transaction.
    """
    params = {"queue": queue, "day": day}
    numbering = s.info.get("numbering")
    if numbering is None:
        return s.connection().execute(_NEXT_NUMBER, params).scalar_one()
    with numbering.connect() as c:
        return c.execute(_NEXT_NUMBER, params).scalar_one()


def issue(
    s: Session,
    hall: Hall,
    business_type: str,
    *,
    priority: bool = False,
    visit: Visit | None = None,
    language: str = "zh",
    appointment_id: int | None = None,
    at: datetime | None = None,
    device_id: str | None = None,
) -> Ticket:
    """A new waiting ticket; `device_id` is the kiosk it was issued at (kiosk/hall/devices.py)."""
    bt = hall.business_type(business_type)
    at = at or clock.now()
    day = hall.service_day(at)
    slot_start = (
        s.scalar(select(AppointmentSlot.start).join(Appointment).where(Appointment.id == appointment_id))
        if appointment_id
        else None
    )
    rank, order_at = queue_order.rank_of(priority, slot_start), queue_order.order_at_of(at, slot_start)
    # counted before the insert: a new ticket comes after every ticket already there with its own
    # rank and order time, and the one INSERT then carries the quoted wait
    ahead = _count_ahead(s, day, bt.queue, rank, order_at, _AFTER_ALL)
    quoted = waits.minutes_for(s, hall, bt.queue, ahead)
    live.publish(s, "display", "queues", {"queue": bt.queue})
    n = _next_number(s, bt.queue, day)
    # one INSERT through Core, the row then attached as loaded: the unit of work's flush cost
    # as much CPU as three statements on the busiest path. Every column is set, so nothing reloads.
    values = dict(
        service_day=day,
        number=f"{bt.queue}{n:03d}",
        queue=bt.queue,
        business_type=bt.id,
        priority=priority,
        status="waiting",
        issued_at=at,
        rank=rank,
        order_at=order_at,
        called_at=None,
        wait_s=None,
        serving_at=None,
        finished_at=None,
        counter_id=None,
        recalls=0,
        quoted_wait_min=quoted,
        language=language,
        visit_id=visit.id if visit else None,
        appointment_id=appointment_id,
        transferred_from=None,
        device_id=device_id,
        served_by=None,
        service_s=None,
    )
    ticket = Ticket(id=s.connection().execute(_INSERT, values).scalar_one(), **values)
    make_transient_to_detached(ticket)
    s.add(ticket)
    _ahead_memo(s)[_place(ticket)] = ahead
    if visit is not None:
        visits.record(
            s,
            visit,
            "ticket_issued",
            {
                "ticket_id": ticket.id,
                "number": ticket.number,
                "queue": ticket.queue,
                "business_type": bt.id,
                "priority": priority,
                "quoted_wait_min": ticket.quoted_wait_min,
            },
            at=at,
        )
        if visit.device_id:  # the kiosk screen shows it, the agent reads the number out
            live.publish(
                s,
                f"kiosk:{visit.device_id}",
                "ticket_issued",
                {
                    "visit_id": visit.id,
                    "ticket_id": ticket.id,
                    "number": ticket.number,
                    "queue": ticket.queue,
                    "language": language,
                },
            )
        triage = s.scalars(
            select(Triage)
            .where(Triage.visit_id == visit.id, Triage.ticket_id.is_(None))
            .order_by(Triage.id.desc())
            .limit(1)
        ).first()
        if triage is not None:
            triage.ticket_id = ticket.id
    return ticket


def issue_priority(
    s: Session,
    hall: Hall,
    business_type: str,
    reason: str,
    *,
    actor: str,
    visit: Visit | None = None,
    language: str = "zh",
    at: datetime | None = None,
) -> Ticket:
    """A 绿色通道 ticket a guide issues for an elderly, disabled or pregnant customer; audited."""
    if reason not in PRIORITY_REASONS:
        raise Invalid(
            f"a priority ticket's reason is one of {', '.join(PRIORITY_REASONS)}", code="invalid_reason"
        )
    ticket = issue(s, hall, business_type, priority=True, visit=visit, language=language, at=at)
    audit.log(s, actor, "ticket.priority", f"ticket:{ticket.id}", number=ticket.number, reason=reason)
    return ticket


def get(s: Session, ticket_id: int) -> Ticket:
    ticket = s.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found", code="ticket_not_found")
    return ticket


def ahead_by_type(s: Session, ticket: Ticket) -> dict[str, int]:
    """Waiting tickets of the same queue called before this one, counted per business type.

    Counted once per request and place in the queue: issuing a ticket quotes its
    wait and then shows its position from the same count.
    """
    memo = _ahead_memo(s)
    place = _place(ticket)
    if place not in memo:
        memo[place] = _count_ahead(
            s, ticket.service_day, ticket.queue, ticket.rank, ticket.order_at, ticket.id
        )
    return memo[place]


def _ahead_memo(s: Session) -> dict[tuple, dict[str, int]]:
    return s.info.setdefault("ahead_by_type", {})


def _place(ticket: Ticket) -> tuple:
    return ticket.id, ticket.service_day, ticket.queue, ticket.status, ticket.rank, ticket.order_at


def _count_ahead(s: Session, day, queue: str, rank: int, order_at: datetime, id_: int) -> dict[str, int]:
    return dict(
        s.connection()
        .execute(_AHEAD, {"day": day, "queue": queue, "rank": rank, "order_at": order_at, "id": id_})
        .tuples()
        .all()
    )


def _audit(s: Session, ticket: Ticket, by: str, old: str, new: str, at: datetime, **details: Any) -> None:
    audit.log(
        s, by, f"ticket.{new}", f"ticket:{ticket.id}", number=ticket.number, **{"from": old}, **details, at=at
    )


def call_next(
    s: Session,
    hall: Hall,
    counter_id: int,
    at: datetime | None = None,
    *,
    by: str = "system",
    caller_id: int | None = None,
) -> Ticket | None:
    """Claim the next ticket for the counter; it is served by the person signed in there
    (else by `caller_id`, the staff account that called it)."""
    counter = counters.get(s, counter_id)
    if not counter.is_open:
        raise Conflict(f"counter {counter.name} is closed", code="counter_closed")
    busy = s.scalars(
        select(Ticket).where(Ticket.counter_id == counter_id, Ticket.status.in_(("called", "serving")))
    ).first()
    if busy is not None:
        raise Conflict(
            f"counter {counter.name} still has {busy.number}; finish it first",
            code="counter_busy",
            details={"ticket_id": busy.id},
        )
    at = at or clock.now()
    day = hall.service_day(at)
    candidates = s.scalars(
        select(Ticket)
        .where(Ticket.service_day == day, Ticket.queue.in_(list(counter.queues)), Ticket.status == "waiting")
        .order_by(*queue_order.ORDER_BY)
        .limit(20)
    ).all()
    for candidate in candidates:
        # an UPDATE without RETURNING gives a CursorResult (SQLAlchemy types it as Result)
        claimed = cast(
            "CursorResult[Any]",
            s.execute(
                update(Ticket)
                .where(Ticket.id == candidate.id, Ticket.status == "waiting")
                .values(
                    status="called",
                    counter_id=counter_id,
                    called_at=at,
                    wait_s=int((at - candidate.issued_at).total_seconds()),
                    served_by=counters.server(counter, caller_id),
                )
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if claimed == 1:
            s.refresh(candidate)
            _after_call(s, candidate, counter, at)
            _audit(s, candidate, by, "waiting", "called", at, counter=counter.name)
            return candidate
    return call_next(s, hall, counter_id, at, by=by, caller_id=caller_id) if len(candidates) == 20 else None


def _after_call(s: Session, ticket: Ticket, counter: Counter, at: datetime) -> None:
    call = {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "counter_id": counter.id,
        "counter": counter.name,
        "queue": ticket.queue,
        "recall": ticket.recalls,
    }
    live.publish(s, "display", "call", call)
    if ticket.visit_id:
        server = s.get(User, ticket.served_by) if ticket.served_by else None
        visits.record(
            s,
            visits.get_visit(s, ticket.visit_id),
            "ticket_called",
            {**call, "served_by": server.username if server else None},
            at=at,
        )


def transition(
    s: Session,
    ticket: Ticket,
    new_status: str,
    *,
    counter_id: int | None = None,
    at: datetime | None = None,
    by: str = "system",
) -> Ticket:
    """Move a ticket along its life (served, no-show, recall, cancel), time-stamped and audited."""
    if new_status not in TRANSITIONS.get(ticket.status, ()):
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}; cannot become {new_status}",
            code="bad_transition",
            details={"status": ticket.status, "wanted": new_status},
        )
    if counter_id is not None and ticket.counter_id not in (None, counter_id):
        raise Conflict(f"ticket {ticket.number} belongs to another counter", code="other_counter")
    at = at or clock.now()
    old = ticket.status
    if new_status == "called":  # a recall
        ticket.recalls += 1
        ticket.called_at = at
        assert ticket.counter is not None  # a called ticket is at a counter
        _after_call(s, ticket, ticket.counter, at)
        _audit(s, ticket, by, old, "recalled", at, recalls=ticket.recalls)
        return ticket
    _audit(s, ticket, by, old, new_status, at)
    ticket.status = new_status
    if new_status == "serving":
        ticket.serving_at = at
    elif new_status in ("done", "no_show", "cancelled"):
        ticket.finished_at = at
    started = ticket.serving_at or ticket.called_at
    if new_status == "done" and started is not None:
        ticket.service_s = int((at - started).total_seconds())
    if ticket.visit_id:
        visits.record(
            s,
            visits.get_visit(s, ticket.visit_id),
            f"ticket_{new_status}",
            {"ticket_id": ticket.id, "number": ticket.number},
            at=at,
        )
    live.publish(s, "display", "queues", {"queue": ticket.queue})
    return ticket


def transfer(
    s: Session,
    hall: Hall,
    ticket: Ticket,
    queue: str,
    *,
    business_type: str | None = None,
    at: datetime | None = None,
    by: str = "system",
) -> Ticket:
    """Send a ticket to another queue; it waits there in its old place (its issue time)."""
    hall.check_queue(queue)
    if business_type is not None:
        bt = hall.business_type(business_type)
        if bt.queue != queue:
            raise Invalid(
                f"{business_type} is served in queue {bt.queue}, not {queue}", code="queue_mismatch"
            )
    if ticket.status not in ("waiting", "called", "serving"):
        raise Conflict(f"ticket {ticket.number} is {ticket.status}; cannot transfer", code="bad_transition")
    old = ticket.queue
    _audit(s, ticket, by, ticket.status, "transferred", at or clock.now(), queue_from=old, to=queue)
    ticket.transferred_from = old if old != queue else ticket.transferred_from
    ticket.queue = queue
    ticket.business_type = business_type or ticket.business_type
    ticket.status, ticket.counter_id, ticket.called_at, ticket.serving_at = "waiting", None, None, None
    ticket.served_by = None
    if ticket.visit_id:
        visits.record(
            s,
            visits.get_visit(s, ticket.visit_id),
            "ticket_transferred",
            {
                "ticket_id": ticket.id,
                "number": ticket.number,
                "from": old,
                "to": queue,
                "business_type": ticket.business_type,
            },
            at=at,
        )
    live.publish(s, "display", "queues", {"queue": queue})
    return ticket


def close_days_before(s: Session, hall: Hall, at: datetime | None = None) -> int:
    """The daily reset: tickets left open from earlier service days are closed as cancelled.

    Nothing is deleted; today's numbering starts afresh because numbers are per day.
    """
    at = at or clock.now()
    left = s.scalars(
        select(Ticket).where(
            Ticket.service_day < hall.service_day(at), Ticket.status.in_(("waiting", "called", "serving"))
        )
    ).all()
    for ticket in left:
        _audit(s, ticket, "daily reset", ticket.status, "cancelled", at, reason="day_end")
        ticket.status, ticket.finished_at = "cancelled", at
        if ticket.visit_id:
            visits.record(
                s,
                visits.get_visit(s, ticket.visit_id),
                "ticket_cancelled",
                {"ticket_id": ticket.id, "number": ticket.number, "reason": "day_end"},
                at=at,
            )
    return len(left)


def as_dict(s: Session, hall: Hall, ticket: Ticket, language: str | None = None) -> dict[str, Any]:
    bt = hall.taxonomy.get(ticket.business_type)
    lang = language or ticket.language
    waiting = ticket.status == "waiting"
    ahead = ahead_by_type(s, ticket) if waiting else {}
    return {
        "id": ticket.id,
        "number": ticket.number,
        "queue": ticket.queue,
        "business_type": ticket.business_type,
        "priority": ticket.priority,
        "status": ticket.status,
        "position": sum(ahead.values()) + 1 if waiting else None,
        "estimated_wait_min": waits.minutes_for(s, hall, ticket.queue, ahead) if waiting else 0.0,
        "quoted_wait_min": ticket.quoted_wait_min,
        "issued_at": ticket.issued_at.isoformat(),
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "serving_at": ticket.serving_at.isoformat() if ticket.serving_at else None,
        "finished_at": ticket.finished_at.isoformat() if ticket.finished_at else None,
        "counter": {"id": ticket.counter.id, "name": ticket.counter.name} if ticket.counter else None,
        "recalls": ticket.recalls,
        "transferred_from": ticket.transferred_from,
        "materials": list(bt.materials_en if lang == "en" else bt.materials_zh) if bt else [],
        "visit_id": ticket.visit_id,
        "language": ticket.language,
    }
