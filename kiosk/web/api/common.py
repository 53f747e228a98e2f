"""What the API views share: idempotent creation, finding the visit a call belongs to."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import request
from sqlalchemy.exc import IntegrityError

from kiosk import clock
from kiosk.hall import visits
from kiosk.hall.errors import Invalid, NotFound
from kiosk.models import IdempotentRequest, KioskSession, Visit
from kiosk.web.auth import actor
from kiosk.web.database import db


def _key() -> str | None:
    raw = request.headers.get("Idempotency-Key", "").strip()
    if not raw:
        return None
    if len(raw) > 80 or not raw.isprintable():
        raise Invalid("Idempotency-Key is at most 80 printable characters", code="bad_idempotency_key")
    who = actor()
    return f"{who.name if who else '-'}|{request.path}|{raw}"


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


def visit_for(visit_id: int | None = None, session_id: str | None = None) -> Visit | None:
    """The visit a call belongs to: named directly, or through the kiosk dialog session."""
    s = db()
    if visit_id is not None:
        return visits.get_visit(s, visit_id)
    if session_id:
        session = s.get(KioskSession, session_id)
        if session is None:
            raise NotFound(f"kiosk session {session_id} not found", code="session_not_found")
        return s.get(Visit, session.visit_id)
    return None
