"""The staff's API: triage review, guide alerts, audit log, CSV exports, operator edits."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import tempfile
import time
from pathlib import Path

import yaml
from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range, Regexp
from flask import Response, current_app
from sqlalchemy import func, select

from kiosk import clock
from kiosk.hall import audit, duty, live, masking, reports, snapshots, taxonomy, triage_review
from kiosk.hall.errors import Invalid, NotFound
from kiosk.models import AuditEntry, Counter, GuideAlert, Ticket, Triage
from kiosk.web.api.common import commit
from kiosk.web.api.schemas import PeriodQuery, VisitsQuery
from kiosk.web.auth import caller, require
from kiosk.web.bounds import MAX_OFFSET
from kiosk.web.database import db, hall

bp = APIBlueprint("staff", __name__, tag="Staff")
GUIDES = ("guide", "supervisor")


class TriageQuery(Schema):
    status = String(validate=OneOf(list(triage_review.STATUSES)))
    limit = Integer(load_default=100, validate=Range(min=1, max=500))


class CorrectIn(Schema):
    business_type = String(required=True, validate=Length(1, 40))


class ExportQuery(Schema):
    include_confirmed = Boolean(load_default=False)


class AlertQuery(Schema):
    status = String(load_default="open", validate=OneOf(["open", "resolved", "all"]))
    limit = Integer(load_default=50, validate=Range(min=1, max=500))


class AuditQuery(Schema):
    action = String(validate=Length(1, 60))
    actor = String(validate=Length(1, 60))
    limit = Integer(load_default=100, validate=Range(min=1, max=1000))
    offset = Integer(load_default=0, validate=Range(min=0, max=MAX_OFFSET))


class VisitsCsvQuery(VisitsQuery):
    limit = Integer(load_default=100_000, validate=Range(min=1, max=200_000))


class MaterialsIn(Schema):
    zh = List(String(validate=Length(1, 200)), validate=Length(0, 20))
    en = List(String(validate=Length(1, 200)), validate=Length(0, 20))


class BusinessTypeIn(Schema):
    zh = String(validate=Length(1, 40))
    en = String(validate=Length(1, 120))
    route = String(validate=OneOf(list(taxonomy.ROUTES)))
    queue = String(validate=Regexp(r"^[A-Z]{1,4}$"))
    materials = Nested(MaterialsIn)


class PurgeIn(Schema):
    days = Integer(validate=Range(min=0, max=90))


# -- who am I -------------------------------------------------------------


@bp.get("/api/me")
@require("guide", "counter", "backoffice", "supervisor")
def me():
    who = caller()
    return {"name": who.name, "role": who.role}


# -- triage review ----------------------------------------------------------


@bp.get("/api/triages")
@require(*GUIDES)
@bp.input(TriageQuery, location="query", arg_name="query")
def list_triages(query):
    s, h = db(), hall()
    rows = triage_review.listing(s, query.get("status"), query["limit"])
    return {"triages": triage_review.as_dicts(s, h, rows)}


@bp.get("/api/triages/<int:triage_id>")
@require(*GUIDES)
def one_triage(triage_id: int):
    s = db()
    return triage_review.as_dict(s, hall(), triage_review.get(s, triage_id))


@bp.post("/api/triages/<int:triage_id>/confirm")
@require(*GUIDES)
def confirm(triage_id: int):
    s, who = db(), caller()
    triage = triage_review.confirm(s, triage_review.get(s, triage_id), actor=who.name, user_id=who.user_id)
    return commit(triage_review.as_dict(s, hall(), triage))


@bp.post("/api/triages/<int:triage_id>/correct")
@require(*GUIDES)
@bp.input(CorrectIn, arg_name="body")
def correct(triage_id: int, body):
    s, h, who = db(), hall(), caller()
    triage, _moved = triage_review.correct(
        s, h, triage_review.get(s, triage_id), body["business_type"], actor=who.name, user_id=who.user_id
    )
    return commit(triage_review.as_dict(s, h, triage))


@bp.get("/api/triages/export")
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


@bp.get("/api/tickets/<int:ticket_id>/triage")
@require("counter", "guide", "supervisor")
def ticket_triage(ticket_id: int):
    """What the kiosk judged for the customer at a counter, and the guide's verdict."""
    s = db()
    found = s.scalars(
        select(Triage).where(Triage.ticket_id == ticket_id).order_by(Triage.id.desc()).limit(1)
    ).first()
    return {"triage": triage_review.as_dict(s, hall(), found) if found else None}


@bp.get("/api/calls/recent")
def recent_calls():
    """The last calls of the day for the hall display (public: numbers and counters only)."""
    s, h = db(), hall()
    rows = s.execute(
        select(Ticket.number, Ticket.called_at, Counter.id, Counter.name)
        .join(Counter, Ticket.counter_id == Counter.id)
        .where(Ticket.service_day == h.service_day(clock.now()), Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc())
        .limit(8)
    ).all()
    return {
        "calls": [
            {"number": n, "called_at": at.isoformat(), "counter_id": cid, "counter": name}
            for n, at, cid, name in rows
        ]
    }


# -- guide alerts -------------------------------------------------------------


@bp.get("/api/guide-alerts")
@require(*GUIDES)
@bp.input(AlertQuery, location="query", arg_name="query")
def list_alerts(query):
    q = select(GuideAlert)
    if query["status"] == "open":
        q = q.where(GuideAlert.resolved_at.is_(None))
    elif query["status"] == "resolved":
        q = q.where(GuideAlert.resolved_at.is_not(None))
    # urgent calls first: danger, an outage at home, an angry customer
    rows = db().scalars(q.order_by(GuideAlert.urgent.desc(), GuideAlert.id.desc()).limit(query["limit"]))
    return {"alerts": [duty.alert_dict(a) for a in rows]}


@bp.post("/api/guide-alerts/<int:alert_id>/resolve")
@require(*GUIDES)
def resolve_alert(alert_id: int):
    s, who = db(), caller()
    alert = s.get(GuideAlert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} not found", code="alert_not_found")
    if alert.resolved_at is None:
        alert.resolved_at, alert.resolved_by = clock.now(), who.user_id
        audit.log(s, who.name, "alert.resolve", f"guide_alert:{alert.id}")
        live.publish(s, "guide", "alert_resolved", {"id": alert.id, "by": who.name})
    return commit(duty.alert_dict(alert))


# -- supervisor: audit log, CSV exports, retention --------------------------------


@bp.get("/api/audit")
@require("supervisor")
@bp.input(AuditQuery, location="query", arg_name="query")
def audit_log(query):
    where = []
    if query.get("action"):
        where.append(AuditEntry.action.startswith(query["action"], autoescape=True))
    if query.get("actor"):
        where.append(AuditEntry.actor == query["actor"])
    s = db()
    total = s.scalar(select(func.count()).select_from(AuditEntry).where(*where))
    rows = s.scalars(
        select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.id.desc())
        .limit(query["limit"])
        .offset(query["offset"])
    )
    return {
        "total": total,
        "entries": [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "details": masking.deep(e.details),
            }
            for e in rows
        ],
    }


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
@require("supervisor")
@bp.input(VisitsCsvQuery, location="query", arg_name="query")
def visits_csv(query):
    found = reports.visit_list(db(), hall(), **query)
    return csv_file("visits.csv", VISIT_COLUMNS, ([v[c] for c in VISIT_COLUMNS] for v in found["visits"]))


def kpi_rows(k: dict) -> list[list]:
    """The KPI document as (section, key, measure, value) rows."""
    rows: list[list] = [
        ["period", "from", "", k["period"]["from"]],
        ["period", "to", "", k["period"]["to"]],
        ["visits", "", "count", k["visits"]],
    ]
    rows += [["arrivals_per_hour", h, "count", n] for h, n in k["arrivals_per_hour"].items()]
    for q, w in k["wait_by_queue"].items():
        rows += [["wait_by_queue", q, m, w[m]] for m in ("tickets", "mean_min", "p90_min")]
    rows += [["served_within_target", "", m, v] for m, v in k["served_within_target"].items()]
    rows += [["greeting", "", m, v] for m, v in k["greeting"].items()]
    for bt, c in k["triage_accuracy"].items():
        rows += [["triage_accuracy", bt, m, c[m]] for m in ("confirmed", "corrected", "accuracy")]
    rows += [["quoted_wait_error_min", "", m, v] for m, v in k["quoted_wait_error_min"].items()]
    rows += [["appointments", "", m, v] for m, v in k["appointments"].items()]
    rows += [["satisfaction", level, "count", n] for level, n in k["satisfaction"]["ratings"].items()]
    rows.append(["satisfaction", "", "mean", k["satisfaction"]["mean"]])
    return rows


@bp.get("/api/kpis.csv")
@require("supervisor")
@bp.input(PeriodQuery, location="query", arg_name="query")
def kpis_csv(query):
    k = reports.kpis(db(), hall(), **query)
    return csv_file("kpis.csv", ["section", "key", "measure", "value"], kpi_rows(k))


@bp.post("/api/snapshots/purge")
@require("supervisor")
@bp.input(PurgeIn, arg_name="body")
def purge_snapshots(body):
    s, who = db(), caller()
    days = body.get("days", current_app.extensions["settings"].snapshot_days)
    n = snapshots.purge(s, days)
    audit.log(s, who.name, "snapshots.purge", "snapshots", days=days, deleted=n)
    return commit({"deleted": n, "days": days})


# -- operator: edit a business type (the YAML file is the source of truth) --------


def _taxonomy_file() -> Path:
    return Path(current_app.extensions["settings"].business_types_file)


@bp.put("/api/business-types/<type_id>")
@require("admin")
@bp.input(BusinessTypeIn, arg_name="body")
def edit_business_type(type_id: str, body):
    path = _taxonomy_file()
    text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    entry = next((e for e in raw.get("business_types", []) if e.get("id") == type_id), None)
    if entry is None:
        raise NotFound(f"unknown business type {type_id!r}", code="unknown_business_type")
    before = {k: entry.get(k) for k in body}
    entry.update(body)
    header = ""
    for line in text.splitlines(keepends=True):  # keep the file's opening comment
        if not line.startswith("#"):
            break
        header += line
    new_text = header + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=200)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".yml.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(new_text)
    try:
        fresh = taxonomy.load(Path(tmp))
    except taxonomy.TaxonomyError as exc:
        os.unlink(tmp)
        raise Invalid(str(exc), code="invalid_taxonomy") from None
    os.replace(tmp, path)
    _swap_taxonomy(fresh, path.stat().st_mtime_ns)
    s, who = db(), caller()
    audit.log(
        s, who.name, "business_type.update", f"business_type:{type_id}", before=before, after=dict(body)
    )
    return commit(fresh.types[type_id].as_dict())


def _swap_taxonomy(fresh: taxonomy.Taxonomy, mtime: int) -> None:
    current_app.extensions["hall"] = dataclasses.replace(current_app.extensions["hall"], taxonomy=fresh)
    current_app.extensions["taxonomy_mtime"] = mtime


@bp.before_app_request
def _reload_taxonomy_if_edited():
    """Another worker process may have rewritten the file: pick the edit up here too.

    Looked at no more than once a second, not on every request.
    """
    app = current_app
    now = time.monotonic()
    if now - app.extensions.get("taxonomy_checked_at", -1.0) < 1.0:
        return
    app.extensions["taxonomy_checked_at"] = now
    try:
        mtime = _taxonomy_file().stat().st_mtime_ns
    except OSError:
        return
    seen = app.extensions.setdefault("taxonomy_mtime", mtime)
    if mtime != seen:
        try:
            _swap_taxonomy(taxonomy.load(_taxonomy_file()), mtime)
        except taxonomy.TaxonomyError:
            app.extensions["taxonomy_mtime"] = mtime  # keep serving the last good one
