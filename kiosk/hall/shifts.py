"""Guides' shifts: a guide's login starts one, their logout ends it, and it lasts no longer than the login.

A login lasts one shift at most (the staff session's lifetime, not sliding),
so a shift is stored with the latest it may end and cut short at the
logout; logging in again while it runs carries it on. The scorecards
(hall/scorecards.py) count what happened on each shift.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.models import StaffShift, User

ROLES = ("guide",)


def running(s: Session, user_id: int, at: datetime) -> StaffShift | None:
    return s.scalars(
        select(StaffShift)
        .where(StaffShift.user_id == user_id, StaffShift.started_at <= at, StaffShift.ended_at > at)
        .order_by(StaffShift.started_at.desc())
        .limit(1)
    ).first()


def logged_in(s: Session, user: User, lasts: timedelta, at: datetime | None = None) -> StaffShift | None:
    """A guide logged in: their running shift goes on to the login's end, else a new one starts."""
    if user.role not in ROLES:
        return None
    at = at or clock.now()
    shift = running(s, user.id, at)
    if shift is None:
        shift = StaffShift(user_id=user.id, started_at=at, ended_at=at + lasts)
        s.add(shift)
    else:
        shift.ended_at = max(shift.ended_at, at + lasts)
    return shift


def logged_out(s: Session, user_id: int, at: datetime | None = None) -> None:
    at = at or clock.now()
    shift = running(s, user_id, at)
    if shift is not None:
        shift.ended_at = at
