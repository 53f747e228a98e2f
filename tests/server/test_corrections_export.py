"""The corrections export holds only words customers typed: never payloads or button labels."""
import yaml

from kiosk.hall import triage, visits


def test_the_export_has_typed_text_only(client, device, staff, app):
    guide, supervisor = staff("guide"), staff("supervisor")
    # a tap in the touch menu: its triage has the chosen business and no words
    session = client.post("/api/kiosk/sessions", json={"device_id": "kiosk-1"}, headers=device).json
    client.post(f"/api/kiosk/sessions/{session['id']}/messages", json={"payload": "/invoice"}, headers=device)
    with app.extensions["sessions"]() as s, s.begin():
        for text, source in [("我想查下这个月电费 13812345678", "assistant"), ("", "button"),
                             ("/meter_issue", "assistant"),  # a payload kept as text before this fix
                             ("电费发票", "button")]:  # a label on a button row
            visit = visits.open_visit(s, device_id="kiosk-1")
            triage.record(s, visit, "invoice", 0.6, text, source=source)
    pending = client.get("/api/triages?status=pending", headers=guide).json["triages"]
    assert len(pending) == 5
    for card in pending:
        r = client.post(f"/api/triages/{card['id']}/correct", json={"business_type": "bill_inquiry"}, headers=guide)
        assert r.status_code == 200, r.json
    exported = client.get("/api/triages/export", headers=supervisor).get_data(as_text=True)
    data = yaml.safe_load(exported)
    examples = [line for block in data["nlu"] for line in block["examples"].splitlines()]
    assert examples == ["- 我想查下这个月电费 138****5678"]
    assert "/" not in exported.split("\n", 1)[1] and "发票" not in exported
