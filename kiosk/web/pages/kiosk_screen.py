"""The customer's screens: the kiosk's full-screen page, the counter's rating pad, the mobile pages
(ticket, where the customer can rate the service too; hand-over; booking), the privacy notice.

`/kiosk` and `/pad` run in their devices' own browsers; the device token
reaches them in the URL fragment (`/kiosk#token=…`), which the browser never
sends to a server, and the page keeps it in sessionStorage (see
docs/kiosk-screen.md). The pages themselves are not secret: everything they
do goes through the device-token API.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from apiflask import APIBlueprint
from flask import Response, current_app, redirect, render_template, request, url_for

from kiosk.hall import appointments, audit, handovers, ratings, tickets
from kiosk.hall.errors import NotFound
from kiosk.i18n import MissingMessage, language, t
from kiosk.web import links
from kiosk.web.api import appointments as appointments_api
from kiosk.web.api import desk as desk_api
from kiosk.web.database import db, hall

bp = APIBlueprint("kiosk_screen", __name__, tag="Kiosk screen", enable_openapi=False)

STATIC = Path(__file__).resolve().parent.parent / "static" / "kiosk"
_DEVICE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
# The pages load nothing from elsewhere and run no inline script: a customer's
# text that slipped into markup could not execute.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def _bounded(name: str, default: float, low: float, high: float) -> float:
    value = request.args.get(name, type=float)
    return default if value is None else min(max(value, low), high)


def _page(html: str) -> Response:
    resp = Response(html, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@lru_cache(maxsize=64)
def _version(name: str, mtime: float) -> str:
    return str(int(mtime))


def asset(name: str) -> str:
    """A static file's URL with its modification time, so a kiosk never runs a stale script."""
    path = STATIC / name
    mtime = path.stat().st_mtime if path.exists() else 0
    return url_for("static", filename=f"kiosk/{name}", v=_version(name, mtime))


@bp.get("/kiosk")
def screen():
    """The kiosk screen. Query: device (kiosk-1), idle seconds (60), greet seconds (1.6), lang, elderly (0)."""
    device = request.args.get("device", "kiosk-1")
    if not _DEVICE.match(device):
        device = "kiosk-1"
    lang = language(request.args.get("lang"))
    html = render_template(
        "kiosk/screen.html",
        lang=lang,
        device=device,
        asset=asset,
        idle_s=_bounded("idle", 60, 2, 900),
        greet_s=_bounded("greet", 1.6, 0, 10),
        result_s=_bounded("result", 45, 2, 900),
        elderly=request.args.get("elderly") in ("1", "true"),
        snapshot_days=current_app.extensions["settings"].snapshot_days,
    )
    return _page(html)


def _qr_svg(url: str, cache_s: int) -> Response:
    qr = segno.make(url, error="m")
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        xmldecl=False,
        title="QR",
    )
    resp = Response(out.getvalue(), mimetype="image/svg+xml")
    resp.headers["Cache-Control"] = f"public, max-age={cache_s}"
    return resp


@bp.get("/privacy")
def privacy():
    """The full privacy notice behind the camera notice's QR code (public, `?lang=zh|en`)."""
    lang = language(request.args.get("lang"))
    html = render_template(
        "kiosk/privacy.html",
        lang=lang,
        asset=asset,
        snapshot_days=current_app.extensions["settings"].snapshot_days,
    )
    return _page(html)


@bp.get("/pad")
def rating_pad():
    """The rating pad of a counter. Query: counter (its id; a pad's token is for counter-<id>),
    idle seconds before an unanswered question goes dark (90), lang."""
    counter = request.args.get("counter", type=int)
    html = render_template(
        "kiosk/pad.html",
        lang=language(request.args.get("lang")),
        counter=counter if counter and 0 < counter < 2**31 else "",
        asset=asset,
        idle_s=_bounded("idle", 90, 10, 900),
    )
    return _page(html)


@bp.get("/privacy/qr.svg")
def privacy_qr():
    """The QR code of the privacy notice page, for the camera notice on the kiosk."""
    return _qr_svg(links.public(url_for("kiosk_screen.privacy")), 3600)


@bp.get("/t/<token>")
def ticket_status(token: str):
    """The customer's phone after scanning the QR code: the ticket, kept up to date live."""
    try:
        ticket = tickets.get(db(), links.record_id("ticket", token))
    except NotFound:
        lang = language(request.args.get("lang"))
        return _page(render_template("kiosk/status_missing.html", lang=lang, asset=asset)), 404
    lang = language(request.args.get("lang") or ticket.language)
    data = tickets.as_dict(db(), hall(), ticket, language=lang)
    headline, detail = status_lines(data, lang)
    return _page(
        render_template(
            "kiosk/status.html",
            lang=lang,
            token=token,
            ticket=data,
            asset=asset,
            headline=headline,
            detail=detail,
            poll_s=_bounded("poll", 5, 1, 60),
            business_name=hall().type_name(ticket.business_type, lang),
            queue_name=hall().queue_name(ticket.queue, lang),
            can_rate=ticket.status == "done" and ratings.for_ticket(db(), ticket.id) is None,
        )
    )


def status_lines(ticket: dict, lang: str) -> tuple[str, str]:
    """What the phone says about the ticket now (status.js says the same after each update)."""
    status = ticket["status"]
    if status == "waiting":
        ahead = max(0, (ticket.get("position") or 1) - 1)  # position 1 is called next
        if not ahead:
            return t("screen.ticket.no_wait", lang), ""
        minutes = max(1, round(float(ticket.get("estimated_wait_min") or 0)))
        return t("screen.ticket.ahead", lang, n=ahead), t("queue.wait", lang, minutes=minutes)
    if status == "called":
        counter = (ticket.get("counter") or {}).get("name", "")
        return t("status.called", lang, counter=counter), ""
    try:
        return t(f"status.{status}", lang), ""
    except MissingMessage:
        return status, ""


@bp.get("/h/<token>")
def handover_status(token: str):
    """The customer's phone after a hand-over: who is coming to meet them, or where to go."""
    lang = language(request.args.get("lang"))
    try:
        h = desk_api.handover_by_link(token)
    except NotFound:
        return _page(render_template("kiosk/status_missing.html", lang=lang, asset=asset)), 404
    return _mobile_page(
        "kiosk/handover_status.html",
        lang,
        token,
        h.business_type,
        status=h.status,
        line=handovers.customer_line(h, lang),
        poll_s=_bounded("poll", 5, 1, 60),
    )


def _mobile_page(template: str, lang: str, token: str, business_type: str, **values) -> Response:
    """A page of the customer's phone about one thing of theirs (a hand-over, a booking)."""
    business_name = hall().type_name(business_type, lang)
    return _page(
        render_template(template, lang=lang, token=token, business_name=business_name, asset=asset, **values)
    )


@bp.get("/a/<token>")
def appointment_status(token: str):
    """The customer's phone after scanning the slip: the booking, and a button to cancel it."""
    lang = language(request.args.get("lang"))
    try:
        booking = appointments_api.booking_body(appointments_api.by_link(token))
    except NotFound:
        return _page(render_template("kiosk/status_missing.html", lang=lang, asset=asset)), 404
    return _mobile_page(
        "kiosk/appointment_status.html",
        lang,
        token,
        booking["business_type"],
        status=booking["status"],
        booking=booking,
        when=datetime.fromisoformat(booking["slot"]["start"]).astimezone(ZoneInfo(hall().tz)),
        poll_s=60,
    )


@bp.post("/a/<token>/cancel")
def appointment_cancel(token: str):
    """The customer cancels from their page: the place is freed for someone else."""
    s = db()
    appt = appointments.cancel(s, hall(), appointments_api.by_link(token))
    audit.log(s, "customer", "appointment.cancel", f"appointment:{appt.id}")
    s.commit()
    return redirect(
        url_for("kiosk_screen.appointment_status", token=token, lang=request.args.get("lang")), 303
    )


@bp.get("/a/<token>/qr.svg")
def appointment_qr(token: str):
    """The QR code of the booking's own page, for the kiosk screen."""
    return _qr_svg(links.url("appointment", appointments_api.by_link(token).id), 86400)


@bp.get("/t/<token>/qr.svg")
def ticket_qr(token: str):
    """The QR code of the ticket's status page, drawn here so the kiosk needs no script for it."""
    return _qr_svg(links.url("ticket", links.record_id("ticket", token)), 86400)


@bp.get("/h/<token>/qr.svg")
def handover_qr(token: str):
    """The QR code of the hand-over's status page."""
    return _qr_svg(links.url("handover", desk_api.handover_by_link(token).id), 86400)
