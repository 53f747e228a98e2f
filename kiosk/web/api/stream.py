"""Server-Sent Events for the live pages: kiosk screen, guide tablet, back-office desk, display.

Each open stream holds a server thread, so the public channels (the display
TV has no login) are capped per client address and per worker process
(KIOSK_STREAM_PER_CLIENT, KIOSK_STREAM_ANONYMOUS; 429 past them), and a
stream whose client has gone gives its thread back within a second.
"""

from __future__ import annotations

import re

from apiflask import APIBlueprint, FileSchema, abort
from flask import Response, current_app, request, stream_with_context

from kiosk.hall import devices, duty
from kiosk.hall.errors import Invalid
from kiosk.hall.handovers import desk_channel
from kiosk.web.auth import DEVICE, actor, allows, optional
from kiosk.web.bounds import MAX_ID
from kiosk.web.database import db, release
from kiosk.web.live import client_gone, stream

bp = APIBlueprint("stream", __name__, tag="Live")
_CHANNEL = re.compile(r"^((kiosk|speaker):[A-Za-z0-9_.\-]{1,40}|desk:\d{1,9}|guide|display|hall)$")
# channels anyone in the hall may watch (the display TV has no login)
_PUBLIC = {"display", "hall"}


@bp.get("/api/stream")
@bp.output(FileSchema(), content_type="text/event-stream")
@optional("guide", "backoffice", "supervisor", DEVICE)
def live_stream():
    names = set(filter(None, request.args.get("channel", "").split(",")))
    if not names or len(names) > 4 or not all(_CHANNEL.match(n) for n in names):
        raise Invalid(
            "channel is one or more of kiosk:<device>, speaker:<device>, desk:<staff id>, guide, display, hall",
            code="bad_channel",
        )
    who = actor()
    private = names - _PUBLIC
    if private:
        if who is None:
            abort(401, "credentials required", extra_data={"code": "unauthorized"})
        if "guide" in private and not allows(who, {"guide", "supervisor", "admin"}):
            abort(403, "the guide channel is for guides", extra_data={"code": "forbidden"})
        if who.device is not None:
            for name in private:
                devices.check_channel(who.device, name)
        desks = {n for n in private if n.startswith("desk:")}
        if desks and who.role not in ("supervisor", "admin"):
            mine = desk_channel(duty.of_user(db(), who.user_id).id) if who.role == "backoffice" else None
            if desks != {mine}:
                abort(403, "a desk channel is its own desk's", extra_data={"code": "forbidden"})
    release()
    leave = None
    if who is None:
        leave = current_app.extensions["anonymous_streams"].enter(request.remote_addr or "-")
    since = request.headers.get("Last-Event-ID", type=int)
    since = None if since is None or not 0 <= since <= MAX_ID else since
    sock = request.environ.get("gunicorn.socket")
    body = stream(current_app.extensions["live"], names, since, gone=lambda: client_gone(sock))
    response = Response(
        stream_with_context(body),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    if leave is not None:
        response.call_on_close(leave)
    return response
