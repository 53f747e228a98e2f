"""The JSON API, one blueprint per concern; docs/api.md is the short contract."""

from __future__ import annotations

from apiflask import APIFlask


def register(app: APIFlask) -> None:
    from kiosk.web.api import (
        appointments,
        cases,
        counters,
        desk,
        duty,
        hall_flags,
        health,
        kiosk_sessions,
        kiosk_speech,
        notifications,
        routing,
        scorecards,
        staff,
        stream,
        taxonomy,
        tickets,
        visits,
    )

    for module in (
        health,
        taxonomy,
        tickets,
        counters,
        appointments,
        notifications,
        duty,
        desk,
        routing,
        visits,
        hall_flags,
        stream,
        kiosk_sessions,
        kiosk_speech,
        staff,
        scorecards,
        cases,
    ):
        app.register_blueprint(module.bp)
