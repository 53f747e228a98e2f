"""The counter page: open or close, choose queues, call next, recall, no-show, transfer, done."""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk.web.database import hall
from kiosk.web.pages.staff_auth import page, render, secure_headers

bp = APIBlueprint("staff_counter", __name__, tag="Pages", enable_openapi=False)
bp.after_request(secure_headers)


@bp.get("/staff/counter")
@page("counter", "supervisor")
def counter_page():
    return render("staff/counter.html", queues=hall().taxonomy.queues)
