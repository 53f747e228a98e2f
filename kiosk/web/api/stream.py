"""Server-Sent Events for the live pages: kiosk screen, guide tablet, display."""

from __future__ import annotations

import re

from apiflask import APIBlueprint, abort
from flask import Response, current_app, request, stream_with_context

from kiosk.hall.errors import Invalid
from kiosk.web.auth import actor
from kiosk.web.database import release
from kiosk.web.live import stream

bp = APIBlueprint("stream", __name__, tag="Live")
_CHANNEL = re.compile(r"^(kiosk:[A-Za-z0-9_.\-]{1,40}|guide|display|hall)$")
# channels anyone in the hall may watch (the display TV has no login)
_PUBLIC = {"display", "hall"}


@bp.get("/api/stream")
def live_stream():
    names = set(filter(None, request.args.get("channel", "").split(",")))
    if not names or not all(_CHANNEL.match(n) for n in names):
        raise Invalid("channel is one or more of kiosk:<device>, guide, display, hall", code="bad_channel")
    who = actor()
    private = names - _PUBLIC
    if private:
        if who is None:
            abort(401, "credentials required", extra_data={"code": "unauthorized"})
        if "guide" in private and who.role not in ("guide", "supervisor", "admin"):
            abort(403, "the guide channel is for guides", extra_data={"code": "forbidden"})
    release()
    since = request.headers.get("Last-Event-ID", type=int)
    body = stream(current_app.extensions["live"], names, since)
    return Response(
        stream_with_context(body),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
