"""Liveness and readiness: is the server up; can it reach its database and the assistant."""

from __future__ import annotations

import requests
from apiflask import APIBlueprint
from flask import current_app
from sqlalchemy import text

from kiosk.web import admission
from kiosk.web.database import db

bp = APIBlueprint("health", __name__, tag="Health")


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    failing = {}
    try:
        db().execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means not ready
        failing["database"] = type(exc).__name__
    settings = current_app.extensions["settings"]
    try:
        with admission.outside():
            requests.get(f"{settings.rasa_url}/", timeout=1.0).raise_for_status()
    except requests.RequestException as exc:
        failing["assistant"] = type(exc).__name__
    if failing:
        return {"status": "not_ready", "failing": failing}, 503
    return {"status": "ready"}
