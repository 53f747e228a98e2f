"""Scorecards pages: the supervisor's report of every person with charts and its CSV, and each
guide's, counter or back-office account's own card (they may see no one else's)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from apiflask import APIBlueprint
from flask import request, url_for
from flask_login import current_user

from kiosk.hall import reports, scorecards
from kiosk.hall.errors import HallError
from kiosk.web.database import db, hall
from kiosk.web.pages.staff_auth import page, render, secure_headers
from kiosk.web.pages.staff_review import _bars as bars

bp = APIBlueprint("staff_scorecards", __name__, tag="Pages", enable_openapi=False)
bp.after_request(secure_headers)


def _rows(user_id: int | None = None) -> tuple[dict[str, str], list[dict[str, Any]], str | None]:
    """The period asked for (?from=&to=, local dates) and the rows of it, or the error in it."""
    period = {k: request.args[k][:10] for k in ("from", "to") if request.args.get(k)}
    try:
        start, end = reports.period(hall(), period.get("from"), period.get("to"))
    except HallError as exc:
        return period, [], exc.message
    return period, scorecards.report(db(), start, end, user_id=user_id), None


def _by_kind(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {kind: [r for r in rows if r["kind"] == kind] for kind in ("counter", "guide", "backoffice")}


@bp.get("/staff/review/staff")
@page("supervisor")
def report_page():
    period, rows, error = _rows()
    kinds = _by_kind(rows)
    charts = {
        "served": bars([(r["name"], r["served"]) for r in kinds["counter"]], 720, 180),
        "rating": bars([(r["name"], r["avg_rating"]) for r in kinds["counter"]], 720, 180, "{:.2f}", 5),
        "compliance": bars(
            [
                (r["name"], None if r["greeting_compliance"] is None else r["greeting_compliance"] * 100)
                for r in kinds["guide"]
            ],
            720,
            180,
            "{:.0f}%",
            100,
        ),
    }
    return render(
        "staff/scorecards.html",
        kinds=kinds,
        charts=charts,
        period=period,
        error=error,
        mine=False,
        csv_url=url_for("scorecards.staff_csv") + (f"?{urlencode(period)}" if period else ""),
    )


@bp.get("/staff/scorecard")
@page("guide", "counter", "backoffice", "supervisor")
def my_card():
    period, rows, error = _rows(current_user.id)
    return render(
        "staff/scorecards.html", kinds=_by_kind(rows), charts=None, period=period, error=error, mine=True
    )
