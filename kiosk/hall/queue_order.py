"""The one place that decides who is served next within a queue.

Priority customers (绿色通道) first, then checked-in appointments by their
slot time, then everyone else by the time the ticket was first issued (a
transferred ticket keeps its original issue time, so it keeps its place).
"""
from __future__ import annotations

from datetime import datetime

from kiosk.models import Ticket


def order_key(ticket: Ticket) -> tuple[int, int, datetime, int]:
    appointment_time = ticket.appointment.slot.start if ticket.appointment else None
    return (
        0 if ticket.priority else 1,
        0 if appointment_time else 1,
        appointment_time or ticket.issued_at,
        ticket.id,
    )


def in_order(tickets: list[Ticket]) -> list[Ticket]:
    return sorted(tickets, key=order_key)
