"""The one place that decides who is served next within a queue.

Priority customers (绿色通道) first, then checked-in appointments by their
slot time, then everyone else by the time the ticket was first issued (a
transferred ticket keeps its original issue time, so it keeps its place).
The order is stored on the ticket as (rank, order_at, id) when it is issued,
so "who is ahead" is one indexed SQL comparison however long the queue.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_

from kiosk.models import Ticket

PRIORITY, APPOINTMENT, WALK_IN = 0, 1, 2


def rank_of(priority: bool, appointment_start: datetime | None) -> int:
    if priority:
        return PRIORITY
    return APPOINTMENT if appointment_start else WALK_IN


def order_at_of(issued_at: datetime, appointment_start: datetime | None) -> datetime:
    return appointment_start or issued_at


ORDER_BY = (Ticket.rank, Ticket.order_at, Ticket.id)


def ahead_of(rank, order_at, id_):
    """SQL condition: the tickets served before the one at (rank, order_at, id), values or bound parameters.

    Same-queue filtering is the caller's.
    """
    return or_(
        Ticket.rank < rank,
        and_(
            Ticket.rank == rank,
            or_(Ticket.order_at < order_at, and_(Ticket.order_at == order_at, Ticket.id < id_)),
        ),
    )
