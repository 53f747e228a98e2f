"""The staff JSON API: triage review, exports, alerts, audit, business-type edits, and who may do what."""
from __future__ import annotations

import csv
import io
import shutil

import pytest
import yaml

from kiosk.settings import Settings
from kiosk.web import maintenance
from kiosk.web.database import dispose
from tests.staff.helpers import kiosk_triage, of_app


def test_correct_moves_ticket_to_new_queue_at_its_old_place(app, client, staff):
    h = of_app(app)
    guide = staff("guide")
    early = kiosk_triage(h, "pay_bill", "我要交电费")             # queue A, first
    others = [kiosk_triage(h, "name_transfer", f"过户 {i}") for i in range(3)]  # queue C
    r = client.get("/api/triages?status=pending", headers=guide)
    assert r.status_code == 200
    assert {t["id"] for t in r.json["triages"]} == {early["triage_id"]} | {o["triage_id"] for o in others}

    r = client.post(f"/api/triages/{early['triage_id']}/correct", json={"business_type": "name_transfer"},
                    headers=guide)
    assert r.status_code == 200, r.json
    assert r.json["status"] == "corrected" and r.json["corrected_to"] == "name_transfer"
    ticket = client.get(f"/api/tickets/{early['ticket_id']}", headers=guide).json
    assert ticket["queue"] == "C" and ticket["business_type"] == "name_transfer"
    assert ticket["position"] == 1  # issued before the three already in C
    assert ticket["transferred_from"] == "A"
    later = client.get(f"/api/tickets/{others[0]['ticket_id']}", headers=guide).json
    assert later["position"] == 2

    # decided once
    assert client.post(f"/api/triages/{early['triage_id']}/confirm", headers=guide).status_code == 409
    assert client.post(f"/api/triages/{others[0]['triage_id']}/confirm", headers=guide).json["status"] == "confirmed"
    pending = client.get("/api/triages?status=pending", headers=guide).json["triages"]
    assert {t["id"] for t in pending} == {others[1]["triage_id"], others[2]["triage_id"]}

    sup = staff("supervisor")
    timeline = client.get(f"/api/visits/{early['visit_id']}", headers=sup).json
    assert timeline["corrected"] is True and timeline["business_type"] == "name_transfer"
    kinds = [e["kind"] for e in timeline["events"]]
    assert "guide_decision" in kinds and "ticket_transferred" in kinds
    audit = client.get("/api/audit?action=triage.", headers=sup).json
    assert {e["action"] for e in audit["entries"]} == {"triage.corrected", "triage.confirmed"}


def test_correct_refuses_unknown_or_same_type(app, client, staff):
    made = kiosk_triage(of_app(app), "pay_bill", "交电费")
    guide = staff("guide")
    url = f"/api/triages/{made['triage_id']}/correct"
    assert client.post(url, json={"business_type": "nope"}, headers=guide).status_code == 422
    assert client.post(url, json={"business_type": "pay_bill"}, headers=guide).status_code == 422
    assert client.post(url, json={}, headers=guide).status_code == 422
    assert client.post("/api/triages/999999/confirm", headers=guide).status_code == 404


def test_export_corrections_as_rasa_nlu(app, client, staff):
    h = of_app(app)
    guide, sup = staff("guide"), staff("supervisor")
    texts = ["我家电表不走了，电话13812345678", "- key: {{7*7}} <script>alert(1)</script>", "我家电表不走了，电话13812345678"]
    for text in texts:
        made = kiosk_triage(h, "pay_bill", text)
        client.post(f"/api/triages/{made['triage_id']}/correct", json={"business_type": "meter_issue"},
                    headers=guide)
    assert client.get("/api/triages/export", headers=guide).status_code == 403
    r = client.get("/api/triages/export", headers=sup)
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    doc = yaml.safe_load(r.get_data(as_text=True))
    assert doc["version"] == "3.1"
    [block] = doc["nlu"]
    assert block["intent"] == "meter_issue"
    lines = block["examples"].splitlines()
    assert lines == ["- 我家电表不走了，电话138****5678", "- - key: {{7*7}} <script>alert(1)</script>"]


def test_alerts_and_handovers(app, client, staff, device):
    guide = staff("guide")
    r = client.post("/api/guide-alerts", json={"reason": "asked_for_human", "text": "<img src=x onerror=alert(1)>"},
                    headers=device)
    alert_id = r.json["id"]
    alerts = client.get("/api/guide-alerts", headers=guide).json["alerts"]
    assert [a["id"] for a in alerts] == [alert_id]
    assert client.post(f"/api/guide-alerts/{alert_id}/resolve", headers=guide).json["resolved_at"]
    assert client.get("/api/guide-alerts", headers=guide).json["alerts"] == []
    assert client.get("/api/guide-alerts?status=all", headers=guide).json["alerts"][0]["id"] == alert_id
    assert client.get("/api/handovers", headers=guide).json == {"handovers": []}


def test_csv_exports(app, client, staff):
    h = of_app(app)
    kiosk_triage(h, "pay_bill", "=HYPERLINK(\"http://evil\")")
    sup = staff("supervisor")
    r = client.get("/api/visits.csv", headers=sup)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0]["business_type"] == "pay_bill"
    r = client.get("/api/kpis.csv", headers=sup)
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["section", "key", "measure", "value"]
    assert ["visits", "", "count", "1"] in rows
    assert client.get("/api/kpis.csv", headers=staff("guide")).status_code == 403


@pytest.fixture
def own_taxonomy(db_url, tmp_path):
    """An app whose business-type file is a copy the test may rewrite."""
    from kiosk.web import create_app

    path = tmp_path / "business_types.yml"
    shutil.copy(Settings().business_types_file, path)
    app = create_app({"database_url": db_url, "device_token": "test-device-token",
                      "secret_key": "test-secret-key", "business_types_file": path,
                      "rasa_url": "http://127.0.0.1:9"})
    yield app, path
    maintenance.stop(app)
    dispose(app)


def test_only_admin_edits_business_types(own_taxonomy):
    from kiosk.hall import accounts

    app, path = own_taxonomy
    client = app.test_client()
    heads = {}
    with app.extensions["sessions"]() as s, s.begin():
        for role in ("guide", "counter", "supervisor", "admin"):
            heads[role] = {"Authorization": f"Bearer {accounts.create_user(s, role, role, 'password-123')[1]}"}
    change = {"queue": "D", "route": "counter", "materials": {"zh": ["户号"], "en": ["Account number"]}}
    assert client.put("/api/business-types/invoice", json=change).status_code == 401
    for role in ("guide", "counter", "supervisor"):
        assert client.put("/api/business-types/invoice", json=change, headers=heads[role]).status_code == 403
    r = client.put("/api/business-types/invoice", json=change, headers=heads["admin"])
    assert r.status_code == 200, r.json
    assert r.json["queue"] == "D" and r.json["materials"]["zh"] == ["户号"]
    assert client.get("/api/business-types/invoice").json["queue"] == "D"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and "发票开具" in text
    assert client.put("/api/business-types/invoice", json={"queue": "Z"},
                      headers=heads["admin"]).status_code == 422
    assert client.put("/api/business-types/nope", json={"queue": "A"}, headers=heads["admin"]).status_code == 404
    entries = client.get("/api/audit?action=business_type", headers=heads["admin"]).json["entries"]
    assert entries[0]["actor"] == "admin"


STAFF_GETS = ["/api/triages", "/api/triages/1", "/api/triages/export", "/api/guide-alerts", "/api/handovers",
              "/api/audit", "/api/visits.csv", "/api/kpis.csv", "/api/kpis", "/api/visits", "/api/visits/1",
              "/api/counters", "/api/duty/staff", "/api/me", "/api/desk/me", "/api/desk/handovers",
              "/api/desk/callbacks"]
STAFF_POSTS = ["/api/triages/1/confirm", "/api/triages/1/correct", "/api/guide-alerts/1/resolve",
               "/api/handovers/1/accept", "/api/handovers/1/decline", "/api/handovers/1/not-found",
               "/api/desk/presence", "/api/callbacks/1/status", "/api/callbacks/1/phone",
               "/api/snapshots/purge", "/api/counters/1/call-next"]


def test_nobody_unauthenticated_reaches_staff_data(client, device):
    for url in STAFF_GETS:
        r = client.get(url)
        assert r.status_code == 401, url
        assert r.json["error"]["code"] == "unauthorized"
    for url in STAFF_POSTS:
        assert client.post(url, json={}).status_code == 401, url
    assert client.get("/api/stream?channel=guide").status_code == 401
    # a kiosk's device token is no staff credential either
    for url in ("/api/triages", "/api/audit", "/api/kpis", "/api/visits.csv"):
        assert client.get(url, headers=device).status_code == 403, url
    assert client.get("/api/triages", headers={"Authorization": "Bearer wrong"}).status_code == 401


@pytest.mark.parametrize("role,url,allowed", [
    ("guide", "/api/kpis", False), ("guide", "/api/audit", False), ("guide", "/api/visits", False),
    ("guide", "/api/kpis.csv", False), ("guide", "/api/triages", True),
    ("counter", "/api/triages", False), ("counter", "/api/audit", False), ("counter", "/api/kpis", False),
    ("counter", "/api/guide-alerts", False),
    ("supervisor", "/api/kpis", True), ("supervisor", "/api/audit", True), ("supervisor", "/api/triages", True),
])
def test_role_boundaries(client, staff, role, url, allowed):
    r = client.get(url, headers=staff(role))
    assert r.status_code == (200 if allowed else 403), (role, url, r.json)


def test_counter_cannot_decide_triages(app, client, staff):
    made = kiosk_triage(of_app(app), "pay_bill", "交电费")
    counter = staff("counter")
    assert client.post(f"/api/triages/{made['triage_id']}/correct", json={"business_type": "invoice"},
                       headers=counter).status_code == 403
    assert client.post(f"/api/triages/{made['triage_id']}/confirm", headers=counter).status_code == 403


def test_retention_deletes_only_old_snapshots(app, client, staff, tmp_path):
    from datetime import timedelta

    from kiosk import clock
    from kiosk.hall import snapshots, visits

    jpeg = b"\xff\xd8" + b"\x00" * 100
    folder = app.extensions["settings"].snapshot_dir
    with app.extensions["sessions"]() as s, s.begin():
        visit = visits.open_visit(s, device_id="kiosk-1")
        old = snapshots.store(s, folder, visit, jpeg, at=clock.now() - timedelta(days=10))
        new = snapshots.store(s, folder, visit, jpeg)
        old_path, new_path = old.path, new.path
    sup = staff("supervisor")
    assert client.post("/api/snapshots/purge", json={}, headers=staff("guide")).status_code == 403
    r = client.post("/api/snapshots/purge", json={"days": 7}, headers=sup)
    assert r.json == {"deleted": 1, "days": 7}
    from pathlib import Path

    assert not Path(old_path).exists() and Path(new_path).exists()
    assert client.get("/api/audit?action=snapshots", headers=sup).json["entries"][0]["details"]["deleted"] == 1
