"""The hall display (TV): the called number and counter in large type, the last calls, waiting per queue.

It needs no login (it shows ticket numbers only) and listens on the public
`display` channel; the spoken call comes from the announcer process
(`python -m kiosk announcer`), not from the browser.
"""

from __future__ import annotations

from apiflask import APIBlueprint

from kiosk.web.pages.staff_auth import render, secure_headers

bp = APIBlueprint("staff_display", __name__, tag="Pages", enable_openapi=False)
bp.after_request(secure_headers)


@bp.get("/display")
def display():
    return render("staff/display.html")
