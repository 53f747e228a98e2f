"""The supervisors' API: the audit log, CSV exports (visits, KPIs, the guides' labels for training), snapshot retention."""

from __future__ import annotations

import csv
import io

from apiflask import APIBlueprint, FileSchema, Schema
from apiflask.fields import Boolean, Integer, String
from apiflask.validators import Length, Range
from flask import Response, current_app

from kiosk import clock
from kiosk.hall import audit, reports, snapshots, triage_review
from kiosk.web.api import answers
from kiosk.web.api.common import commit
from kiosk.web.api.schemas import PeriodQuery, VisitsQuery
from kiosk.web.auth import caller, require
from kiosk.web.bounds import MAX_OFFSET
from kiosk.web.database import db, hall

bp = APIBlueprint("supervision", __name__, tag="Supervision")


class ExportQuery(Schema):
    include_confirmed = Boolean(load_default=False)


class AuditQuery(Schema):
    action = String(validate=Length(1, 60))
    actor = String(validate=Length(1, 60))
    limit = Integer(load_default=100, validate=Range(min=1, max=1000))
    offset = Integer(load_default=0, validate=Range(min=0, max=MAX_OFFSET))


class VisitsCsvQuery(VisitsQuery):
    limit = Integer(load_default=100_000, validate=Range(min=1, max=200_000))


class PurgeIn(Schema):
    days = Integer(validate=Range(min=0, max=90))


@bp.get("/api/audit")
@bp.output(answers.AuditLog)
@require("supervisor")
@bp.input(AuditQuery, location="query", arg_name="query")
def audit_log(query):
    total, rows = audit.entries(db(), **query)
    return {"total": total, "entries": [audit.as_dict(e) for e in rows]}


@bp.get("/api/triages/export")
@bp.output(FileSchema(), content_type="application/x-yaml")
@require("supervisor")
@bp.input(ExportQuery, location="query", arg_name="query")
def export_nlu(query):
    text = triage_review.export_nlu(db(), include_confirmed=query["include_confirmed"])
    stamp = clock.now().strftime("%Y%m%d")
    return Response(
        text,
        mimetype="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="guide_labels_{stamp}.yml"'},
    )


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # a cell starting with = + - @ is a formula to a spreadsheet: keep it text
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_file(name: str, header: list[str], rows) -> Response:
    """A CSV download Excel opens in Chinese, no cell read as a formula."""
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel reads UTF-8 Chinese only with the BOM
    w = csv.writer(buf)
    w.writerow(header)
    for row in rows:
        w.writerow([_csv_cell(v) for v in row])
    return Response(
        buf.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


VISIT_COLUMNS = [
    "id",
    "device_id",
    "started_at",
    "ended_at",
    "business_type",
    "outcome",
    "approached",
    "greeted",
    "greeting_latency_ms",
    "triage_confidence",
    "corrected",
    "rating",
    "language",
]


@bp.get("/api/visits.csv")
@bp.output(FileSchema(), content_type="text/csv")
@require("supervisor")
@bp.input(VisitsCsvQuery, location="query", arg_name="query")
def visits_csv(query):
    found = reports.visit_list(db(), hall(), **query)
    return csv_file("visits.csv", VISIT_COLUMNS, ([v[c] for c in VISIT_COLUMNS] for v in found["visits"]))


@bp.get("/api/kpis.csv")
@bp.output(FileSchema(), content_type="text/csv")
@require("supervisor")
@bp.input(PeriodQuery, location="query", arg_name="query")
def kpis_csv(query):
    k = reports.kpis(db(), hall(), **query)
    return csv_file("kpis.csv", ["section", "key", "measure", "value"], reports.kpi_rows(k))


@bp.post("/api/snapshots/purge")
@bp.output(answers.Purged)
@require("supervisor")
@bp.input(PurgeIn, arg_name="body")
def purge_snapshots(body):
    days = body.get("days", current_app.extensions["settings"].snapshot_days)
    n = snapshots.purge(db(), days, actor=caller().name)
    return commit({"deleted": n, "days": days})
