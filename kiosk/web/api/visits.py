"""Visits: the agent's events, snapshots, the kiosk's rating, and the supervisor's search, review,
evidence pack and KPIs."""

from __future__ import annotations

from pathlib import Path

from apiflask import APIBlueprint, FileSchema
from flask import Response, current_app, request, send_file

from kiosk import clock
from kiosk.hall import devices, live, reports, snapshots, visits
from kiosk.hall.errors import NotFound
from kiosk.i18n import language
from kiosk.models import Visit
from kiosk.web.api import answers
from kiosk.web.api.common import commit, idempotent
from kiosk.web.api.schemas import PeriodQuery, RatingIn, VisitEventIn, VisitsQuery, raw_body
from kiosk.web.auth import caller, require, scope
from kiosk.web.database import db, end_transaction, hall

bp = APIBlueprint("visits", __name__, tag="Visits")
REVIEWERS = ("supervisor",)


def _visit(visit_id: int) -> Visit:
    """A visit the calling device may act on (kiosk/hall/devices.py)."""
    visit = visits.get_visit(db(), visit_id)
    device = scope()
    if device is not None:
        devices.check_visit(device, visit)
    return visit


@bp.post("/api/visits/events")
@bp.output(answers.EventRecorded, status_code=201)
@require("agent")
@idempotent
@bp.input(VisitEventIn, arg_name="body")
def agent_event(body):
    """approach opens a visit for the track; greeted and left attach to it. Repeats are ignored."""
    s = db()
    device, track, kind = body["device_id"], body["track_id"], body["kind"]
    credential = scope()
    if credential is not None:
        devices.check_device_id(credential, device)
    visit = visits.agent_visit(s, device, track)
    if visit is None:
        visit = visits.open_visit(s, device_id=device, track_id=track, at=body["at"])
    repeat = next((e for e in visit.events if e.kind == kind), None)
    if repeat is not None:
        return commit({"visit_id": visit.id, "event_id": repeat.id, "duplicate": True}, 200)
    data = {k: body[k] for k in ("distance_m", "nearest_m", "latency_ms", "text", "together") if k in body}
    event = visits.record(s, visit, kind, {**data, "track_id": track}, at=body["at"])
    if kind in ("approach", "left"):
        live.publish(
            s,
            f"kiosk:{device}",
            kind,
            {"visit_id": visit.id, "track_id": track, "at": body["at"].isoformat()},
        )
    return commit({"visit_id": visit.id, "event_id": event.id}, 201)


@bp.post("/api/visits/<int:visit_id>/snapshot")
@bp.output(answers.SnapshotStored, status_code=201)
@require("agent")
@raw_body("image/jpeg")
def snapshot(visit_id: int):
    s = db()
    visit = _visit(visit_id)
    snap = snapshots.store(
        s, current_app.extensions["settings"].snapshot_dir, visit, request.get_data(cache=False)
    )
    visits.record(s, visit, "snapshot", {"snapshot_id": snap.id})
    return commit({"id": snap.id, "visit_id": visit.id}, 201)


@bp.get("/api/visits/<int:visit_id>/snapshots/<int:snapshot_id>")
@bp.output(FileSchema(), content_type="image/jpeg")
@require(*REVIEWERS)
def snapshot_file(visit_id: int, snapshot_id: int):
    snap = snapshots.one(db(), visit_id, snapshot_id)
    try:
        return send_file(snap.path, mimetype="image/jpeg")
    except FileNotFoundError:
        raise NotFound("the snapshot file is gone", code="snapshot_not_found") from None


@bp.post("/api/visits/<int:visit_id>/rating")
@bp.output(answers.Rated, status_code=201)
@require("kiosk")
@bp.input(RatingIn, arg_name="body")
def rate(visit_id: int, body):
    """The kiosk's own service (an appointment, a hand-over, a guide called); a ticket's service is
    rated after it, POST /api/tickets/<id>/rating."""
    s = db()
    visit = _visit(visit_id)
    visits.record(s, visit, "rating", {"rating": body["rating"]})
    return commit({"visit_id": visit.id, "rating": body["rating"]}, 201)


@bp.get("/api/visits")
@bp.output(answers.VisitList)
@require(*REVIEWERS)
@bp.input(VisitsQuery, location="query", arg_name="query")
def list_visits(query):
    return reports.visit_list(db(), hall(), **query)


@bp.get("/api/visits/<int:visit_id>")
@bp.output(answers.Timeline)
@require(*REVIEWERS)
def one(visit_id: int):
    return reports.visit_timeline(db(), visits.get_visit(db(), visit_id))


@bp.get("/api/visits/<int:visit_id>/report.pdf")
@bp.output(FileSchema(), content_type="application/pdf")
@require(*REVIEWERS)
def evidence_pack(visit_id: int):
    """The visit's evidence pack for a complaint (PDF, ?lang=zh|en); each view is audited and listed in it."""
    # fpdf takes a third of a second to import: the first pack pays it, not every server start
    from kiosk import evidence

    s, who, h = db(), caller(), hall()
    timeline = reports.visit_timeline(s, visits.get_visit(s, visit_id))
    viewers = reports.pack_viewed(s, visit_id, who.label)
    files = [(snap.path, snap.created_at) for snap in snapshots.of_visit(s, visit_id)]
    s.commit()  # the view is on record before the pack leaves; the drawing holds no lock
    end_transaction()
    lang = language(request.args.get("lang"))
    settings = current_app.extensions["settings"]
    pack = evidence.Pack(
        timeline=timeline,
        viewers=viewers,
        snapshots=[(Path(path), at) for path, at in files],
        type_name=lambda bt: h.type_name(bt, lang),
        tz=h.tz,
        lang=lang,
        generated_by=who.name,
    )
    pdf = evidence.render(pack, settings.pdf_font, settings.pdf_font_index)
    stamp = clock.local(clock.now(), h.tz).strftime("%Y%m%d")
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="visit-{visit_id}-{stamp}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/api/kpis")
@bp.output(answers.Kpis)
@require(*REVIEWERS)
@bp.input(PeriodQuery, location="query", arg_name="query")
def kpis(query):
    return reports.kpis(db(), hall(), **query)
