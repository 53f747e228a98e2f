"""Visits: the agent's events open and fill a visit; the timeline; snapshots; ratings."""
from datetime import datetime, timedelta, timezone

AT = datetime(2026, 11, 26, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def event(client, device, kind, track="7", at=AT, **extra):
    return client.post("/api/visits/events", json={"kind": kind, "device_id": "kiosk-1", "track_id": track,
                                                   "at": at.isoformat(), **extra}, headers=device)


def test_approach_greeted_left_make_one_visit_timeline(client, device, staff):
    first = event(client, device, "approach", distance_m=2.9)
    assert first.status_code == 201
    visit_id = first.json["visit_id"]
    greeted = event(client, device, "greeted", at=AT + timedelta(seconds=2), latency_ms=180, text="早上好")
    left = event(client, device, "left", at=AT + timedelta(seconds=60))
    assert greeted.json["visit_id"] == left.json["visit_id"] == visit_id
    timeline = client.get(f"/api/visits/{visit_id}", headers=staff("supervisor")).json
    assert [e["kind"] for e in timeline["events"]] == ["approach", "greeted", "left"]
    assert timeline["greeted"] and timeline["greeting_latency_ms"] == 180 and timeline["outcome"] == "left"
    assert timeline["events"][0]["data"]["distance_m"] == 2.9


def test_a_greeting_said_together_is_marked_on_the_second_visit(client, device, staff):
    event(client, device, "approach", track="8")
    together = event(client, device, "greeted", track="8", latency_ms=150, together=True)
    timeline = client.get(f"/api/visits/{together.json['visit_id']}", headers=staff("supervisor")).json
    assert timeline["events"][1]["data"]["together"] is True
    assert event(client, device, "greeted", track="9", together="maybe").status_code == 422


def test_repeated_events_are_not_doubled_and_new_track_is_new_visit(client, device):
    a = event(client, device, "approach")
    again = event(client, device, "approach")
    assert again.status_code == 200 and again.json["duplicate"] and again.json["event_id"] == a.json["event_id"]
    event(client, device, "left")
    other = event(client, device, "approach", track="8")
    assert other.json["visit_id"] != a.json["visit_id"]
    back = event(client, device, "approach")  # same track id after the visit ended: a new visit
    assert back.json["visit_id"] not in (a.json["visit_id"], other.json["visit_id"])


def test_bad_events_are_refused(client, device):
    assert event(client, device, "waved").status_code == 422
    assert event(client, device, "approach", track="x" * 41).status_code == 422
    assert event(client, device, "approach", track="<script>").status_code == 422
    assert event(client, device, "greeted", latency_ms=-5).status_code == 422
    bad_time = client.post("/api/visits/events", json={"kind": "approach", "device_id": "k", "track_id": "1",
                                                       "at": "yesterday"}, headers=device)
    assert bad_time.status_code == 422


def test_snapshot_upload_and_retention(client, device, staff, app):
    visit_id = event(client, device, "approach").json["visit_id"]
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 100
    resp = client.post(f"/api/visits/{visit_id}/snapshot", data=jpeg, headers={**device, "Content-Type": "image/jpeg"})
    assert resp.status_code == 201
    sup = staff("supervisor")
    url = client.get(f"/api/visits/{visit_id}", headers=sup).json["snapshots"][0]["url"]
    assert client.get(url, headers=sup).data == jpeg
    assert client.post(f"/api/visits/{visit_id}/snapshot", data=b"GIF89a", headers=device).status_code == 422
    from kiosk.hall import snapshots

    with app.extensions["sessions"]() as s, s.begin():
        assert snapshots.purge(s, days=7) == 0
        assert snapshots.purge(s, days=0, at=datetime.now(timezone.utc) + timedelta(seconds=1)) == 1
    assert client.get(url, headers=sup).status_code == 404


def test_rating_is_recorded_and_bounded(client, device, staff):
    visit_id = event(client, device, "approach").json["visit_id"]
    assert client.post(f"/api/visits/{visit_id}/rating", json={"rating": 6}, headers=device).status_code == 422
    assert client.post(f"/api/visits/{visit_id}/rating", json={"rating": "5"}, headers=device).status_code == 422
    assert client.post(f"/api/visits/{visit_id}/rating", json={"rating": 5}, headers=device).status_code == 201
    assert client.get(f"/api/visits/{visit_id}", headers=staff("supervisor")).json["rating"] == 5


def test_unknown_visit_is_404(client, device, staff):
    assert client.get("/api/visits/99999", headers=staff("supervisor")).status_code == 404
    assert client.post("/api/visits/99999/rating", json={"rating": 3}, headers=device).status_code == 404
