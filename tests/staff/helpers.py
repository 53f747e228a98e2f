"""Building hall state for the staff tests straight through the domain (as the kiosk would)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from kiosk.db import make_engine, make_sessionmaker
from kiosk.hall import accounts, taxonomy, tickets, triage, visits
from kiosk.hall.context import Hall
from kiosk.models import Counter
from kiosk.settings import Settings


@dataclass
class HallDb:
    sessions: sessionmaker[Session]
    hall: Hall


def of_app(app) -> HallDb:
    return HallDb(app.extensions["sessions"], app.extensions["hall"])


def at_url(url: str) -> HallDb:
    """The database a server subprocess uses, opened from the test (the server made its tables)."""
    return HallDb(make_sessionmaker(make_engine(url)),
                  Hall(taxonomy=taxonomy.load(Settings().business_types_file)))


def kiosk_triage(h: HallDb, business_type: str, text: str, confidence: float = 0.9, *,
                 ticket: bool = True, priority: bool = False, at: datetime | None = None) -> dict:
    """A visit whose dialog produced a pending triage (and its ticket), as a kiosk session does."""
    with h.sessions() as s, s.begin():
        visit = visits.open_visit(s, device_id="kiosk-1", track_id=None, at=at)
        visits.record(s, visit, "dialog_turn", {"text": text, "bot": ["好的，请稍等"]}, at=at)
        made = triage.record(s, visit, business_type, confidence, text, source="assistant", at=at)
        t = tickets.issue(s, h.hall, business_type, priority=priority, visit=visit, at=at) if ticket else None
        return {"visit_id": visit.id, "triage_id": made.id,
                "ticket_id": t.id if t else None, "number": t.number if t else None}


def open_counter(h: HallDb, counter_id: int, queues: list[str]) -> None:
    with h.sessions() as s, s.begin():
        c = s.get(Counter, counter_id)
        c.is_open, c.queues = True, queues


def make_user(h: HallDb, name: str, role: str, password: str = "password-123") -> str:
    """Creates the account; returns its API token."""
    with h.sessions() as s, s.begin():
        return accounts.create_user(s, name, role, password)[1]
