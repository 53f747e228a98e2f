"""Liveness and readiness: is the server up; can it reach its database and the assistant.

/readyz stays cheap whatever the assistant does: it holds no database session
while it asks, one request at a time asks (the others take the last answer),
and an answer is reused for a few seconds.
"""

from __future__ import annotations

import threading
import time

import requests
from apiflask import APIBlueprint
from flask import current_app
from sqlalchemy import text

from kiosk.web import admission
from kiosk.web.api import answers
from kiosk.web.auth import public
from kiosk.web.database import db, end_transaction

bp = APIBlueprint("health", __name__, tag="Health")
ASSISTANT_FRESH_S = 5.0


class AssistantProbe:
    """The assistant's last known readiness, refreshed by one caller at a time."""

    def __init__(self) -> None:
        self._asking = threading.Lock()
        self._at = -ASSISTANT_FRESH_S
        self._failing: str | None = "not asked yet"

    def failing(self, url: str) -> str | None:
        """None when the assistant answered; else why not."""
        if time.monotonic() - self._at < ASSISTANT_FRESH_S or not self._asking.acquire(blocking=False):
            return self._failing
        try:
            with admission.outside():
                requests.get(f"{url}/", timeout=(0.5, 1.0)).raise_for_status()
            self._failing = None
        except requests.RequestException as exc:
            self._failing = type(exc).__name__
        finally:
            self._at = time.monotonic()
            self._asking.release()
        return self._failing


@bp.record_once
def _setup(state) -> None:
    state.app.extensions["assistant_probe"] = AssistantProbe()


@bp.get("/healthz")
@bp.output(answers.Ok)
@public
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
@bp.output(answers.Readiness)
@public
def readyz():
    failing = {}
    try:
        db().execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means not ready
        failing["database"] = type(exc).__name__
    end_transaction()
    assistant = current_app.extensions["assistant_probe"].failing(current_app.extensions["settings"].rasa_url)
    if assistant:
        failing["assistant"] = assistant
    if failing:
        return {"status": "not_ready", "failing": failing}, 503
    return {"status": "ready"}
