"""The supervisor's pages: visit list with filters, one visit as a timeline, KPIs with charts, audit log.

Rendered on the server (Jinja escapes every value, so customer text stays
text); charts are inline SVG built here from the KPI document.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from apiflask import APIBlueprint
from flask import current_app, redirect, request, url_for
from flask_login import current_user

from kiosk import clock
from kiosk.hall import accounts, audit, cases, counters, masking, reports, snapshots
from kiosk.hall import visits as visit_log
from kiosk.hall.errors import HallError
from kiosk.i18n import t
from kiosk.web.auth import csrf
from kiosk.web.bounds import MAX_ID, query_int
from kiosk.web.database import db, hall
from kiosk.web.pages.staff_auth import lang, page, render, secure_headers

bp = APIBlueprint("staff_review", __name__, tag="Pages", enable_openapi=False)
bp.after_request(secure_headers)
PAGE_SIZE = 50
OUTCOMES = visit_log.OUTCOME_FILTERS


@bp.app_template_filter("local_time")
def local_time(value: str | datetime | None, fmt: str = "%H:%M:%S") -> str:
    if not value:
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return clock.local(at, hall().tz).strftime(fmt)


_FIND = {  # what the search form may carry, as the API's VisitsQuery takes it
    "ticket": re.compile(r"^[A-Za-z]{1,4}\d{1,7}$"),
    "day": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "appointment": re.compile(r"^[A-Za-z0-9]{4,12}$"),
    "phone4": re.compile(r"^\d{4}$"),
    "time_from": re.compile(r"^\d{2}:\d{2}$"),
    "time_to": re.compile(r"^\d{2}:\d{2}$"),
}


def _filters() -> dict[str, Any]:
    a = request.args
    f: dict[str, Any] = {}
    for key in ("date_from", "date_to"):
        if a.get(key):
            f[key] = a[key][:10]
    f.update({k: a[k].strip() for k, shape in _FIND.items() if shape.match(a.get(k, "").strip())})
    for key in ("counter", "staff"):
        if a.get(key, "").isdigit() and 0 < int(a[key]) <= MAX_ID:
            f[key] = int(a[key])
    if a.get("case") in ("any", "open"):
        f["case"] = a["case"]
    if a.get("business_type") in hall().taxonomy.types:
        f["business_type"] = a["business_type"]
    if a.get("outcome") in OUTCOMES:
        f["outcome"] = a["outcome"]
    if a.get("corrected") in ("yes", "no"):
        f["corrected"] = a["corrected"] == "yes"
    if a.get("greeting") in ("missed", "late", "ok"):
        f["greeting"] = a["greeting"]
    if a.get("low_rating") == "yes":
        f["low_rating"] = True
    return f


@bp.get("/staff/review")
@page("supervisor")
def visits_page():
    f = _filters()
    offset = query_int("offset", 0)
    error, found = None, {"total": 0, "visits": [], "offset": 0, "limit": PAGE_SIZE}
    try:
        found = reports.visit_list(db(), hall(), **f, limit=PAGE_SIZE, offset=offset)
    except HallError as exc:
        error = exc.message
    args = {k: v for k, v in request.args.items() if k != "offset"}
    csv_args: dict[str, Any] = {k: ("true" if v is True else v) for k, v in f.items()}
    return render(
        "staff/review_visits.html",
        found=found,
        args=args,
        error=error,
        types=hall().taxonomy.types,
        outcomes=OUTCOMES,
        page_size=PAGE_SIZE,
        csv_url=url_for("supervision.visits_csv", **csv_args),
        counters=counters.every(db()),
        servers=accounts.with_roles(db(), ("counter", "supervisor", "admin")),
    )


@bp.get("/staff/review/visits/<int:visit_id>")
@page("supervisor")
def visit_page(visit_id: int):
    s = db()
    timeline = reports.visit_timeline(s, visit_log.get_visit(s, visit_id))
    return render("staff/review_visit.html", v=timeline, types=hall().taxonomy.types, reasons=cases.REASONS)


def _bars(
    items: list[tuple[str, float | None]],
    width: int = 720,
    height: int = 180,
    fmt: str = "{:g}",
    top: float | None = None,
) -> dict:
    """Geometry of a simple bar chart (`top`: the full scale, else the largest value): the template
    draws rects and labels."""
    values = [v or 0 for _, v in items]
    top = top or (max(values) if values and max(values) > 0 else 1)
    n = max(len(items), 1)
    slot = width / n
    bars = []
    for i, (label, value) in enumerate(items):
        h = (value or 0) / top * (height - 30)
        bars.append(
            {
                "x": round(i * slot + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "y": round(height - 18 - h, 1),
                "h": round(h, 1),
                "label": label,
                "value": "–" if value is None else fmt.format(value),
                "cx": round(i * slot + slot / 2, 1),
            }
        )
    return {"width": width, "height": height, "bars": bars, "base": height - 18}


def charts(k: dict, lang: str) -> dict:
    types = hall().taxonomy.types
    return {
        "arrivals": _bars(list(k["arrivals_per_hour"].items())),
        "wait_mean": _bars([(q, w["mean_min"]) for q, w in k["wait_by_queue"].items()], 340),
        "wait_p90": _bars([(q, w["p90_min"]) for q, w in k["wait_by_queue"].items()], 340),
        "accuracy": _bars(
            [
                ((types[bt].zh if lang == "zh" else bt) if bt in types else bt, c["accuracy"] * 100)
                for bt, c in sorted(k["triage_accuracy"].items())
            ],
            720,
            200,
            "{:.0f}%",
        ),
        "satisfaction": _bars(list(k["satisfaction"]["ratings"].items()), 340),
        "appointments": _bars(
            [(t(f"staff.appt.{status}", lang), n) for status, n in k["appointments"].items()], 340
        ),
    }


@bp.get("/staff/review/kpis")
@page("supervisor")
def kpis_page():
    a = request.args
    query: dict[str, Any] = {k: a[k][:10] for k in ("date_from", "date_to") if a.get(k)}
    target = a.get("target_wait_min", 15.0, type=float)
    query["target_wait_min"] = min(max(target or 15.0, 1.0), 240.0)
    error, k = None, None
    try:
        k = reports.kpis(db(), hall(), **query)
    except HallError as exc:
        error = exc.message
    return render(
        "staff/review_kpis.html",
        k=k,
        c=charts(k, lang()) if k else None,
        error=error,
        q=query,
        csv_url=url_for("supervision.kpis_csv", **query),
    )


@bp.get("/staff/review/audit")
@page("supervisor")
def audit_page():
    s = db()
    offset = query_int("offset", 0)
    action = (request.args.get("action") or "")[:60]
    total, rows = audit.entries(s, action=action, limit=PAGE_SIZE, offset=offset)
    return render(
        "staff/review_audit.html",
        rows=rows,
        total=total,
        offset=offset,
        action=action,
        page_size=PAGE_SIZE,
        masked=masking.deep,
        retention_days=current_app.extensions["settings"].snapshot_days,
        purged=query_int("purged", None),
    )


@bp.post("/staff/review/retention")
@page("supervisor")
def purge_page():
    """The retention job by hand (it also runs as `python -m kiosk purge-snapshots`)."""
    csrf.protect()
    s = db()
    n = snapshots.purge(s, current_app.extensions["settings"].snapshot_days, actor=current_user.username)
    s.commit()
    return redirect(url_for("staff_review.audit_page", purged=n))
