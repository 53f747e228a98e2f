"""The back-office desk page (tablet or PC): presence, the hand-overs addressed to this person, call-backs,
today's and tomorrow's appointments."""

from __future__ import annotations

from datetime import timedelta

from apiflask import APIBlueprint
from flask_login import current_user

from kiosk import clock
from kiosk.hall import duty
from kiosk.hall.errors import Forbidden
from kiosk.web.database import db, hall
from kiosk.web.pages.staff_auth import page, render, secure_headers

bp = APIBlueprint("staff_desk", __name__, tag="Pages", enable_openapi=False)
bp.after_request(secure_headers)


@bp.get("/staff/desk")
@page("backoffice")
def desk_page():
    try:
        person = duty.of_user(db(), current_user.id)
    except Forbidden:
        return render("staff/forbidden.html"), 403
    today = hall().service_day(clock.now())
    days = [
        {"title": "appointments.desk.today", "date": today.isoformat()},
        {"title": "appointments.desk.tomorrow", "date": (today + timedelta(days=1)).isoformat()},
    ]
    return render(
        "staff/desk.html",
        person=duty.staff_dict(hall(), person),
        answer_s=hall().answer_s,
        appointment_days=days,
    )
