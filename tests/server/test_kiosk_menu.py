"""The kiosk dialog when the assistant is down: a touch menu that still issues tickets."""


def _start(client, device):
    resp = client.post("/api/kiosk/sessions", json={"device_id": "kiosk-1"}, headers=device)
    assert resp.status_code == 201, resp.json
    return resp.json


def test_session_falls_back_to_menu_with_every_business_type(client, device):
    session = _start(client, device)
    assert session["mode"] == "menu"
    payloads = {b["payload"] for m in session["messages"] for b in m["buttons"]}
    assert "/pay_bill" in payloads and "/request_human" in payloads and len(payloads) == 20


def test_menu_choice_issues_ticket_and_records_triage(client, device, staff):
    session = _start(client, device)
    resp = client.post(f"/api/kiosk/sessions/{session['id']}/messages",
                       json={"payload": "/invoice"}, headers=device)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["ticket"]["number"] == "A001" and body["ticket"]["queue"] == "A"
    assert body["triage"]["business_type"] == "invoice"
    assert "A001" in body["messages"][0]["text"]
    timeline = client.get(f"/api/visits/{session['visit_id']}", headers=staff("supervisor")).json
    kinds = [e["kind"] for e in timeline["events"]]
    assert kinds[:1] == ["session_start"] and "triage" in kinds and "ticket_issued" in kinds
    assert timeline["tickets"][0]["number"] == "A001"


def test_menu_back_office_without_duty_calls_a_guide(client, device):
    session = _start(client, device)
    body = client.post(f"/api/kiosk/sessions/{session['id']}/messages",
                       json={"payload": "/solar_pv"}, headers=device).json
    assert "ticket" not in body and body["guide_alert"]["id"] > 0


def test_menu_back_office_with_staff_on_duty_hands_over(client, device, staff):
    guide = staff("guide")
    person = client.get("/api/duty/staff", headers=guide).json["staff"][0]
    client.patch(f"/api/duty/staff/{person['id']}", json={"on_duty": True}, headers=guide)
    session = _start(client, device)
    body = client.post(f"/api/kiosk/sessions/{session['id']}/messages",
                       json={"payload": "/capacity_change"}, headers=device).json
    assert body["handover"]["staff"]["id"] == person["id"]
    assert person["name"] in body["messages"][0]["text"]


def test_message_needs_exactly_one_of_text_and_payload(client, device):
    session = _start(client, device)
    url = f"/api/kiosk/sessions/{session['id']}/messages"
    assert client.post(url, json={}, headers=device).status_code == 422
    assert client.post(url, json={"text": "x", "payload": "/y"}, headers=device).status_code == 422
    assert client.post(url, json={"text": "\u0000\u0001"}, headers=device).status_code == 422
    assert client.post("/api/kiosk/sessions/nope/messages", json={"text": "hi"},
                       headers=device).status_code == 404


def test_classify_answers_503_when_assistant_is_down(client, device):
    resp = client.post("/api/triage/classify", json={"text": "交电费"}, headers=device)
    assert resp.status_code == 503 and resp.json["error"]["code"] == "assistant_unavailable"


def test_issued_ticket_is_pushed_to_its_kiosk(client, device, app):
    from kiosk.models import LiveEvent

    session = _start(client, device)
    client.post(f"/api/kiosk/sessions/{session['id']}/messages", json={"payload": "/pay_bill"}, headers=device)
    with app.extensions["sessions"]() as s:
        pushed = [e.data for e in s.query(LiveEvent).filter_by(channel="kiosk:kiosk-1", type="ticket_issued")]
    assert [(p["number"], p["visit_id"]) for p in pushed] == [("A001", session["visit_id"])]
