"""What the API views share: idempotent creation, finding the visit a call belongs to (within a device's scope)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import request
from sqlalchemy.exc import IntegrityError

from kiosk import clock
from kiosk.hall import devices, visits
from kiosk.hall.errors import Invalid, NotFound
from kiosk.models import IdempotentRequest, KioskSession, Visit
from kiosk.web.auth import actor, scope
from kiosk.web.database import db


def _key() -> str | None:
    raw = request.headers.get("Idempotency-Key", "").strip()
    if not raw:
        return None
    if len(raw) > 80 or not raw.isprintable():
        raise Invalid("Idempotency-Key is at most 80 printable characters", code="bad_idempotency_key")
    who = actor()
    return f"{who.label if who else '-'}|{request.path}|{raw}"


def idempotent(view):
    """Replay the first answer to a repeated Idempotency-Key instead of acting twice."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = _key()
        if key:
            done = db().get(IdempotentRequest, key)
            if done is not None:
                return done.body, done.status
        return view(*args, **kwargs)

    return wrapped


def commit(body: dict | Callable[[], dict], status: int = 200):
    """Commit this request's work, storing the answer under its Idempotency-Key if any.

    `body` may be a function building the answer: it is then called after the
    commit (the write lock is not held while it runs) unless the answer must be
    stored with the work.
    """
    s = db()
    key = _key()
    if key:
        body = body() if callable(body) else body
        s.add(IdempotentRequest(key=key, status=status, body=body, created_at=clock.now()))
    try:
        s.commit()
    except IntegrityError:
        s.rollback()
        if key:
            done = s.get(IdempotentRequest, key)
            if done is not None:  # the same request raced us and won
                return done.body, done.status
        raise
    return (body() if callable(body) else body), status


def kiosk_session(session_id: str) -> KioskSession:
    """A kiosk dialog session the caller may act for."""
    found = db().get(KioskSession, session_id)
    if found is None:
        raise NotFound(f"kiosk session {session_id} not found", code="session_not_found")
    device = scope()
    if device is not None:
        devices.check_session(device, found)
    return found


def origin(visit_id: int | None = None, session_id: str | None = None) -> tuple[Visit | None, str | None]:
    """The visit a call belongs to (named directly, or through the kiosk dialog session) and the
    kiosk where the customer stands, each within the calling device's scope."""
    s, device = db(), scope()
    session = kiosk_session(session_id) if session_id and visit_id is None else None
    visit = visits.get_visit(s, visit_id) if visit_id is not None else None
    if session is not None:
        visit = s.get(Visit, session.visit_id)
    if device is None:
        return visit, session.device_id if session else None
    if visit is not None and session is None:
        devices.check_visit(device, visit)
    return visit, devices.kiosk_of(device, session, visit)


def visit_for(visit_id: int | None = None, session_id: str | None = None) -> Visit | None:
    """The visit a call belongs to, within the calling device's scope."""
    return origin(visit_id, session_id)[0]
