"""Devices and what each may do: kiosks, camera agents, the assistant, displays and rating pads.

Every device has its own token (shown once, stored hashed) and acts within
its kind's scope, the narrowest that works:

- a kiosk acts for itself: its dialog sessions and visits, and the tickets
  issued at it in the last few minutes (to show, print or cancel them);
- a camera agent posts events and snapshots for its own kiosk only;
- the assistant issues tickets, books and hands over for kiosk sessions;
- a rating pad is named for its counter (counter-3) and rates the tickets
  that counter has just finished; a display only watches the public channels.

A kiosk and its camera agent share the kiosk's name (kiosk-1): names are
unique per kind. Priority tickets, cancelling other tickets and reprints
are for staff (the web layer's role checks).

In development a shared token (`ANY`) stands for every kind and every device.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import clock
from kiosk.hall import accounts
from kiosk.hall.errors import Conflict, Forbidden, Invalid, NotFound
from kiosk.models import Device, KioskSession, Ticket, Visit

KINDS = ("kiosk", "agent", "assistant", "display", "rating-pad")
ANY = "any"  # the development token's kind: every kind, every device
# how long a kiosk may still print or cancel a ticket issued at it
OWN_TICKET_WINDOW = timedelta(minutes=10)
# how long after a counter finishes a ticket its rating pad offers it and may rate it
PAD_WINDOW = timedelta(minutes=10)
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
_PAD_NAME = re.compile(r"^counter-([1-9][0-9]{0,8})$")


@dataclass(frozen=True)
class Credential:
    """Who a device token stands for."""

    kind: str  # one of KINDS, or ANY
    name: str

    @property
    def shared(self) -> bool:
        return self.kind == ANY

    def plays(self, kinds: set[str]) -> bool:
        """Whether this device is one of `kinds` (the shared token is every kind)."""
        return bool(kinds.intersection(KINDS)) if self.shared else self.kind in kinds


# -- the register ---------------------------------------------------------------------


def add(s: Session, name: str, kind: str, at: datetime | None = None) -> tuple[Device, str]:
    """Register a device (or give a revoked one a new token); returns it and its token, shown once."""
    if kind not in KINDS:
        raise Invalid(f"kind is one of {', '.join(KINDS)}", code="invalid_kind")
    if not _NAME.match(name or ""):
        raise Invalid("a device name is 1–40 letters, digits and _.-", code="invalid_name")
    if kind == "rating-pad" and not _PAD_NAME.match(name):
        raise Invalid("a rating pad is named for its counter: counter-<id>", code="invalid_name")
    token = secrets.token_urlsafe(32)
    found = s.scalars(select(Device).where(Device.kind == kind, Device.name == name)).first()
    if found is not None and found.revoked_at is None:
        raise Conflict(f"{kind} {name} exists; revoke it first for a new token", code="device_exists")
    if found is None:
        found = Device(name=name, kind=kind, created_at=at or clock.now())
        s.add(found)
    found.token_hash, found.revoked_at = accounts.token_hash(token), None
    s.flush()
    return found, token


def listing(s: Session) -> list[Device]:
    return list(s.scalars(select(Device).order_by(Device.name, Device.kind)))


def revoke(s: Session, name: str, kind: str | None = None, at: datetime | None = None) -> list[Device]:
    """Revoke every active token of that name (of one kind if given); its calls get 401 at once."""
    query = select(Device).where(Device.name == name, Device.revoked_at.is_(None))
    if kind is not None:
        query = query.where(Device.kind == kind)
    found = list(s.scalars(query))
    if not found:
        raise NotFound(f"no active device named {name}", code="device_not_found")
    for device in found:
        device.revoked_at = at or clock.now()
    return found


def by_token(s: Session, token: str) -> Credential | None:
    device = s.scalars(
        select(Device).where(Device.token_hash == accounts.token_hash(token), Device.revoked_at.is_(None))
    ).first()
    return Credential(device.kind, device.name) if device else None


# -- scopes -----------------------------------------------------------------------------


def _refuse(message: str) -> Forbidden:
    return Forbidden(message, code="out_of_scope")


def check_device_id(who: Credential, device_id: str) -> None:
    """A kiosk or agent speaks for its own kiosk only."""
    if not who.shared and device_id != who.name:
        raise _refuse(f"{who.kind} {who.name} acts for itself, not for {device_id}")


def check_session(who: Credential, session: KioskSession) -> None:
    if who.plays({"assistant"}):
        return
    if who.kind == "kiosk":
        return check_device_id(who, session.device_id)
    raise _refuse(f"a {who.kind} has no kiosk sessions")


def check_visit(who: Credential, visit: Visit) -> None:
    """A kiosk or agent: visits at its kiosk; the assistant: visits at any kiosk."""
    if who.shared:
        return
    if who.kind in ("kiosk", "agent"):
        return check_device_id(who, visit.device_id)
    if who.kind == "assistant" and visit.device_id:
        return
    raise _refuse(f"{who.kind} {who.name} may not act on visit {visit.id}")


def check_ticket(who: Credential, ticket: Ticket, at: datetime | None = None) -> None:
    """A kiosk: tickets issued at it within OWN_TICKET_WINDOW; other tickets are the staff's."""
    if who.shared:
        return
    recent = ticket.issued_at >= (at or clock.now()) - OWN_TICKET_WINDOW
    if who.kind == "kiosk" and ticket.device_id == who.name and recent:
        return
    raise _refuse(f"ticket {ticket.number} is not one {who.kind} {who.name} has just issued")


def check_counter(who: Credential, counter_id: int) -> None:
    """A rating pad serves its own counter."""
    match = _PAD_NAME.match(who.name)
    if who.shared or (who.kind == "rating-pad" and match and int(match.group(1)) == counter_id):
        return
    raise _refuse(f"{who.kind} {who.name} does not serve counter {counter_id}")


def check_rating(who: Credential, ticket: Ticket, at: datetime | None = None) -> None:
    """A rating pad rates the tickets its counter finished within PAD_WINDOW."""
    if who.shared:
        return
    if ticket.counter_id is not None:
        check_counter(who, ticket.counter_id)
        if ticket.finished_at is None or ticket.finished_at >= (at or clock.now()) - PAD_WINDOW:
            return  # not yet done: the rating is refused as such (409), not as out of scope
    raise _refuse(f"ticket {ticket.number} was not just finished at the counter of {who.kind} {who.name}")


def kiosk_of(who: Credential, session: KioskSession | None, visit: Visit | None) -> str | None:
    """The kiosk a device acts at (a new ticket's); the assistant acts only within a kiosk session."""
    if who.kind == "assistant" and session is None:
        raise _refuse("the assistant acts for kiosk sessions: send session_id")
    if who.kind == "kiosk":
        return who.name
    if session is not None:
        return session.device_id or None
    return visit.device_id if visit is not None and visit.device_id else None


def check_channel(who: Credential, channel: str) -> None:
    """A kiosk hears its own kiosk:<name> channel, and its camera agent also speaker:<name> (the
    kiosk dialog to read aloud on its speaker); no device hears the guides'."""
    if who.shared:
        return
    if channel == f"kiosk:{who.name}" and who.kind in ("kiosk", "agent"):
        return
    if channel == f"speaker:{who.name}" and who.kind == "agent":
        return
    raise _refuse(f"{who.kind} {who.name} may not listen on {channel}")
