"""The guide's tablet: live triages to confirm or correct, alerts, hand-overs, duty, flags, bookings, priority tickets."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk.hall import appointments, tickets
from kiosk.web.database import hall
from kiosk.web.pages.staff_auth import page, render, secure_headers

bp = APIBlueprint("staff_guide", __name__, tag="Pages", enable_openapi=False)
bp.after_request(secure_headers)


@bp.get("/staff/guide")
@page("guide", "supervisor")
def tablet():
    tax = hall().taxonomy
    return render(
        "staff/guide.html",
        types=list(tax.types.values()),
        bookable=appointments.bookable(tax),
        priority_reasons=tickets.PRIORITY_REASONS,
    )
