"""Scorecards: the supervisor's report of every person over a period, its CSV, and one's own card."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, FileSchema

from kiosk.hall import reports, scorecards
from kiosk.web.api import answers
from kiosk.web.api.schemas import StaffReportQuery
from kiosk.web.api.supervision import csv_file
from kiosk.web.auth import require, staff_user
from kiosk.web.database import db, hall

bp = APIBlueprint("scorecards", __name__, tag="Scorecards")

CSV_COLUMNS = [
    "kind",
    "name",
    "role",
    "served",
    "avg_handling_min",
    "avg_wait_min",
    "ratings",
    "avg_rating",
    "bad_share",
    "no_shows",
    "transfers",
    "start",
    "end",
    "within_2m",
    "greeted",
    "greeting_compliance",
    "triages_confirmed",
    "triages_corrected",
    "alerts_answered",
    "alert_response_s",
    "desk",
    "handovers_accepted",
    "accept_s",
    "callbacks_done",
]


def staff_report(query: dict[str, Any], user_id: int | None = None) -> dict[str, Any]:
    start, end = reports.period(hall(), query.get("date_from"), query.get("date_to"))
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "staff": scorecards.report(db(), start, end, user_id=user_id),
    }


@bp.get("/api/reports/staff")
@bp.output(answers.StaffReport)
@require("supervisor")
@bp.input(StaffReportQuery, location="query", arg_name="query")
def staff(query):
    """One row per person (`kind`: counter, guide or backoffice); a guide's row has its shifts."""
    return staff_report(query)


@bp.get("/api/reports/staff/me")
@bp.output(answers.MyCard)
@require("counter", "guide", "backoffice", "supervisor")
@bp.input(StaffReportQuery, location="query", arg_name="query")
def my_card(query):
    """The caller's own card: what counter, guide and back-office accounts may see of the scorecards."""
    report = staff_report(query, staff_user().id)
    return {"period": report["period"], "card": report["staff"][0] if report["staff"] else None}


def csv_rows(rows: list[dict[str, Any]]):
    """A line per person, and a line per guide's shift under it."""
    for row in rows:
        yield [row.get(c) for c in CSV_COLUMNS]
        for shift in row.get("shifts", []):
            yield [
                {"kind": "guide_shift", "name": row["name"], "role": row["role"]}.get(c, shift.get(c))
                for c in CSV_COLUMNS
            ]


@bp.get("/api/reports/staff.csv")
@bp.output(FileSchema(), content_type="text/csv")
@require("supervisor")
@bp.input(StaffReportQuery, location="query", arg_name="query")
def staff_csv(query):
    return csv_file("staff-scorecards.csv", CSV_COLUMNS, csv_rows(staff_report(query)["staff"]))
