"""The kiosk dialog when the assistant is down: a touch menu that asks the same routing decision."""
from kiosk.models import Callback, GuideAlert, Handover, LiveEvent, Ticket


def _start(client, device):
    resp = client.post("/api/kiosk/sessions", json={"device_id": "kiosk-1"}, headers=device)
    assert resp.status_code == 201, resp.json
    return resp.json


def _say(client, device, session, **message):
    resp = client.post(f"/api/kiosk/sessions/{session['id']}/messages", json=message, headers=device)
    assert resp.status_code == 200, resp.json
    return resp.json


def _text(body) -> str:
    return "\n".join(m["text"] for m in body["messages"])


def test_session_falls_back_to_menu_with_every_business_type(client, device):
    session = _start(client, device)
    assert session["mode"] == "menu"
    payloads = {b["payload"] for m in session["messages"] for b in m["buttons"]}
    assert "/pay_bill" in payloads and "/request_human" in payloads and len(payloads) == 20


def test_menu_choice_issues_ticket_and_records_triage(client, device, staff):
    session = _start(client, device)
    body = _say(client, device, session, payload="/invoice")
    assert body["ticket"]["number"] == "A001" and body["ticket"]["queue"] == "A"
    assert body["decision"]["outcome"] == "ticket"
    assert body["triage"]["business_type"] == "invoice"
    assert "A001" in body["messages"][-1]["text"] and "缴费凭证" in _text(body)
    timeline = client.get(f"/api/visits/{session['visit_id']}", headers=staff("supervisor")).json
    kinds = [e["kind"] for e in timeline["events"]]
    assert kinds[:1] == ["session_start"] and "triage" in kinds and "routed" in kinds and "ticket_issued" in kinds
    assert timeline["tickets"][0]["number"] == "A001"


def test_self_service_is_offered_first_and_a_ticket_given_when_still_wanted(client, device, app):
    session = _start(client, device)
    body = _say(client, device, session, payload="/pay_bill")
    assert body["decision"]["outcome"] == "self_service" and "ticket" not in body
    offered = {b["payload"]: b["title"] for b in body["messages"][-1]["buttons"]}
    assert offered == {"/ticket:pay_bill": "帮我取号", "/menu": "不用了，我去自助办理"}
    again = _say(client, device, session, payload="/menu")
    assert "ticket" not in again and any(b["payload"] == "/pay_bill" for b in again["messages"][-1]["buttons"])
    took = _say(client, device, session, payload="/ticket:pay_bill")
    assert took["ticket"]["business_type"] == "pay_bill"
    # the same ticket again, never a second one for the visit
    repeat = _say(client, device, session, payload="/ticket:pay_bill")
    assert repeat["ticket"]["id"] == took["ticket"]["id"]
    with app.extensions["sessions"]() as s:
        assert s.query(Ticket).count() == 1


def test_back_office_with_nobody_reachable_gets_the_call_back_form(client, device, app):
    session = _start(client, device)
    body = _say(client, device, session, payload="/solar_pv")
    assert "ticket" not in body and "appointment" not in body and "guide_alert" not in body
    assert body["callback"] == {"id": None, "business_type": "solar_pv", "desk": "大客户经理室"}
    assert "回电" in _text(body)
    taken = client.post("/api/callbacks", headers=device, json={
        "business_type": "solar_pv", "name": "张伟", "phone": "138 1234 5678", "session_id": session["id"]})
    assert taken.status_code == 201, taken.json
    assert taken.json["phone_masked"] == "138****5678" and taken.json["status"] == "open"
    assert "138****5678" in taken.json["messages"][0]["text"]
    assert [o["id"] for o in taken.json["offers"]] == ["appointment", "wait_call"]
    bad = client.post("/api/callbacks", headers=device, json={
        "business_type": "solar_pv", "name": "张伟", "phone": "12345", "session_id": session["id"]})
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid_phone"
    with app.extensions["sessions"]() as s:
        assert [c.phone for c in s.query(Callback)] == ["13812345678"]


def test_back_office_with_someone_present_hands_over(client, device, desk, app):
    wang = desk("王经理")
    assert client.post("/api/desk/presence", json={"available": True}, headers=wang).json["reachable"] is True
    session = _start(client, device)
    body = _say(client, device, session, payload="/capacity_change")
    assert body["handover"]["staff"]["name"] == "王经理" and body["handover"]["status"] == "offered"
    assert "王经理" in body["messages"][-1]["text"]
    assert body["handover"]["status_url"].split("/h/")[1]
    with app.extensions["sessions"]() as s:
        pushed = [(e.channel, e.type) for e in s.query(LiveEvent)]
    staff_id = body["handover"]["staff"]["id"]
    assert (f"desk:{staff_id}", "handover") in pushed and ("kiosk:kiosk-1", "handover") in pushed


def test_typed_words_still_count_when_the_assistant_is_down(client, device, app):
    session = _start(client, device)
    body = _say(client, device, session, text="电线杆上的线掉下来了，还在冒火花")
    assert body["decision"]["outcome"] == "emergency" and "appointment" not in body
    assert "95598" in _text(body) and body["emergency"]["line"] == "95598"
    assert body["guide_alert"]["urgent"] is True and body["guide_alert"]["reason"] == "danger"
    with app.extensions["sessions"]() as s:
        said = [e.data for e in s.query(LiveEvent).filter_by(channel="speaker:kiosk-1", type="say")]
    assert said and "95598" in said[0]["text"]
    nothing = _say(client, device, session, text="嗯")
    assert "decision" not in nothing and nothing["messages"][-1]["buttons"]


def test_asking_for_a_person_calls_a_guide_once(client, device, app):
    session = _start(client, device)
    first = _say(client, device, session, payload="/request_human")
    second = _say(client, device, session, payload="/request_human")
    assert first["guide_alert"]["reason"] == "asked_for_human"
    assert second["guide_alert"]["id"] == first["guide_alert"]["id"]
    with app.extensions["sessions"]() as s:
        assert s.query(GuideAlert).count() == 1 and s.query(Handover).count() == 0


def test_a_repeated_turn_is_answered_again_not_acted_twice(client, device, app):
    session = _start(client, device)
    key = {**device, "Idempotency-Key": "turn-1"}
    one = client.post(f"/api/kiosk/sessions/{session['id']}/messages", json={"payload": "/invoice"}, headers=key)
    two = client.post(f"/api/kiosk/sessions/{session['id']}/messages", json={"payload": "/invoice"}, headers=key)
    assert one.json == two.json
    with app.extensions["sessions"]() as s:
        assert s.query(Ticket).count() == 1


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
    session = _start(client, device)
    client.post(f"/api/kiosk/sessions/{session['id']}/messages", json={"payload": "/invoice"}, headers=device)
    with app.extensions["sessions"]() as s:
        pushed = [e.data for e in s.query(LiveEvent).filter_by(channel="kiosk:kiosk-1", type="ticket_issued")]
    assert [(p["number"], p["visit_id"]) for p in pushed] == [("A001", session["visit_id"])]


def test_a_turn_that_timed_out_after_its_action_issued_a_ticket_never_issues_a_second(client, device, app):
    # the assistant took too long: the session fell back to the menu, but its action went on and
    # issued the ticket (POST /api/route, as the action calls it, with the turn's key)
    session = _start(client, device)
    late = client.post("/api/route", json={"business_type": "invoice", "session_id": session["id"]},
                       headers={**device, "Idempotency-Key": "the-timed-out-turn:route-service"})
    assert late.status_code == 201 and late.json["decision"]["outcome"] == "ticket"
    again = client.post("/api/route", json={"business_type": "invoice", "session_id": session["id"]},
                        headers={**device, "Idempotency-Key": "the-timed-out-turn:route-service"})
    assert again.json == late.json
    # the customer, seeing the menu, taps the same business: the ticket they already have
    tapped = _say(client, device, session, payload="/invoice")
    assert tapped["ticket"]["id"] == late.json["ticket"]["id"]
    with app.extensions["sessions"]() as s:
        assert s.query(Ticket).count() == 1
