"""The JSON API, one blueprint per concern and audience; docs/api.md is the short contract."""

from __future__ import annotations

from apiflask import APIFlask


def register(app: APIFlask) -> None:
    from kiosk.web.api import (
        appointments,
        business_types,
        calls,
        cases,
        counters,
        desk,
        duty,
        guide_alerts,
        hall_flags,
        health,
        kiosk_sessions,
        kiosk_speech,
        me,
        notifications,
        printing,
        routing,
        scorecards,
        stream,
        supervision,
        taxonomy,
        tickets,
        triage_review,
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
        printing,
        me,
        triage_review,
        guide_alerts,
        calls,
        supervision,
        business_types,
        scorecards,
        cases,
    ):
        app.register_blueprint(module.bp)
