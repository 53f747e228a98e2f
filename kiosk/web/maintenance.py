"""Jobs each server process runs: hand-overs passed on when unanswered and customers' messages
(no-shows marked, reminders queued, messages sent) every few seconds, and housekeeping every few
minutes: the appointment timetable's coming days, the daily reset and retention (snapshots,
personal data, old idempotency answers and live events: kiosk/hall/retention.py).

Every job is safe to run in several worker processes at once: the hand-over
pass moves an offer by a conditional update, the others are idempotent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from kiosk import gateways
from kiosk.hall import appointments, handovers, notifications, retention, snapshots, tickets, timetable
from kiosk.settings import Settings

log = logging.getLogger(__name__)
INTERVAL_S = 600
DESK_INTERVAL_S = 5


def run_once(app: Flask) -> None:
    settings = app.extensions["settings"]
    with app.extensions["sessions"]() as s, s.begin():
        timetable.ensure_slots(s, app.extensions["hall"])
        closed = tickets.close_days_before(s, app.extensions["hall"])
        purged = snapshots.purge(s, settings.snapshot_days)
        redacted = retention.redact(s, settings.redact_after_days)
        pruned = retention.prune(s)
    redacted += _forget_conversations(settings)
    if closed or purged or redacted:
        log.info(
            "daily reset closed %d tickets; retention deleted %d snapshots, redacted %d records, pruned %d rows",
            closed,
            purged,
            redacted,
            pruned,
        )


def _forget_conversations(settings: Settings) -> int:
    """Retention in the assistant's tracker store (its own database, Rasa's schema)."""
    url = make_url(settings.rasa_tracker_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return 0  # no Rasa has kept anything here: do not make the file
    if url.drivername == "postgresql":  # Rasa's URL names no driver; this environment has psycopg 3
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            return retention.forget_conversations(conn, settings.redact_after_days)
    finally:
        engine.dispose()


def pass_handovers(app: Flask) -> int:
    """Offers nobody answered within the hall's answer time go to the next reachable person."""
    with app.extensions["sessions"]() as s, s.begin():
        return handovers.pass_unanswered(s, app.extensions["hall"])


def appointment_messages(app: Flask) -> int:
    """Windows that closed make no-shows; reminders come due; queued messages go out (retried)."""
    hall, sessions = app.extensions["hall"], app.extensions["sessions"]
    with sessions() as s, s.begin():
        appointments.mark_no_shows(s, hall)
        appointments.queue_reminders(s, hall)
        due = notifications.due(s)
    if not due:
        return 0
    attempts = app.extensions["settings"].sms_attempts
    return notifications.deliver(sessions, app.extensions["gateway"], due, attempts)


def init_app(app: Flask) -> None:
    app.extensions["gateway"] = gateways.from_settings(app.extensions["settings"])
    run_once(app)
    started = threading.Event()
    stop = threading.Event()

    def loop() -> None:
        housekept = time.monotonic()
        while not stop.wait(DESK_INTERVAL_S):
            jobs: list[Callable[[Flask], object]] = [pass_handovers, appointment_messages]
            if time.monotonic() - housekept >= INTERVAL_S:
                housekept = time.monotonic()
                jobs.append(run_once)
            for job in jobs:
                try:
                    job(app)
                except Exception:
                    log.exception("%s failed; will retry", job.__name__)

    @app.before_request
    def _start_once():
        # started from the first request, after gunicorn has forked this worker
        if not started.is_set():
            started.set()
            threading.Thread(target=loop, name="housekeeping", daemon=True).start()

    app.extensions["housekeeping_stop"] = stop


def stop(app: Flask) -> None:
    """End the app's jobs within their interval (an app that is done: a test's)."""
    app.extensions["housekeeping_stop"].set()
