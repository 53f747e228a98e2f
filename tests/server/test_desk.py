"""The back-office desk: presence, hand-overs accepted, declined, passed on when unanswered, call-backs."""
from datetime import timedelta

import pytest

from kiosk import clock
from kiosk.models import AuditEntry, GuideAlert, LiveEvent
from kiosk.web.maintenance import pass_handovers


def _session(client, device):
    return client.post("/api/kiosk/sessions", json={"device_id": "kiosk-1"}, headers=device).json


def _hand_over(client, device, business="capacity_change"):
    session = _session(client, device)
    body = client.post(f"/api/kiosk/sessions/{session['id']}/messages", json={"payload": f"/{business}"},
                       headers=device).json
    return session, body


def _present(client, headers, available=True):
    resp = client.post("/api/desk/presence", json={"available": available}, headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def _timeline(client, staff, visit_id):
    return client.get(f"/api/visits/{visit_id}", headers=staff("supervisor")).json["events"]


def test_presence_and_the_roster_make_someone_reachable(client, device, desk, staff):
    wang = desk("王经理")
    me = client.get("/api/desk/me", headers=wang).json
    assert (me["name"], me["on_roster"], me["available"], me["reachable"]) == ("王经理", True, False, False)
    _session_, body = _hand_over(client, device)
    assert body["decision"]["outcome"] == "callback"  # nobody present yet
    _present(client, wang)
    _session_, body = _hand_over(client, device)
    assert body["handover"]["staff"]["name"] == "王经理"
    roster = client.get("/api/duty/staff", headers=staff("guide")).json["staff"]
    assert [p["name"] for p in roster if p["reachable"]] == ["王经理"]
    _present(client, wang, False)
    _session_, body = _hand_over(client, device)
    assert body["decision"]["outcome"] == "callback"


def test_accepting_tells_the_kiosk_and_the_phone_and_the_timeline_records_it(client, device, desk, staff, app):
    wang = desk("王经理")
    _present(client, wang)
    session, body = _hand_over(client, device)
    handover = body["handover"]
    listed = client.get("/api/desk/handovers", headers=wang).json["handovers"]
    assert [(h["id"], h["status"]) for h in listed] == [(handover["id"], "offered")]
    accepted = client.post(f"/api/handovers/{handover['id']}/accept", json={"meet": "desk"}, headers=wang)
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted" and accepted.json["meet"] == "desk"
    assert accepted.json["lines"]["zh"] == "王经理已确认，请到大客户经理室办理。"
    again = client.post(f"/api/handovers/{handover['id']}/accept", json={}, headers=wang)
    assert again.status_code == 409
    events = _timeline(client, staff, session["visit_id"])
    done = [e for e in events if e["kind"] == "handover_accepted"]
    assert len(done) == 1 and done[0]["data"]["by"] == "王经理" and done[0]["data"]["seconds"] >= 0
    token = handover["status_url"].split("/h/")[1]
    phone = client.get(f"/api/handovers/status/{token}?lang=en").json
    assert phone == {"status": "accepted", "line": "王经理 has confirmed: please go to 大客户经理室.",
                     "business_type": "capacity_change"}
    assert client.get("/api/handovers/status/forged").status_code == 404
    page = client.get(f"/h/{token}")
    assert page.status_code == 200 and "请到大客户经理室办理" in page.get_data(as_text=True)
    with app.extensions["sessions"]() as s:
        kiosk = [e.data["status"] for e in s.query(LiveEvent).filter_by(channel="kiosk:kiosk-1", type="handover")]
        audit = [e.action for e in s.query(AuditEntry)]
    assert kiosk == ["offered", "accepted"] and "handover.accept" in audit


def test_a_decline_passes_it_on_then_to_the_call_back_path(client, device, desk, staff, app):
    wang, li = desk("王经理"), desk("李工")
    _present(client, wang)
    _present(client, li)
    session, body = _hand_over(client, device, "solar_pv")
    hid = body["handover"]["id"]
    assert client.post(f"/api/handovers/{hid}/accept", headers=li).status_code == 403  # not addressed to 李工
    moved = client.post(f"/api/handovers/{hid}/decline", headers=wang).json
    assert moved["staff"]["name"] == "李工" and moved["status"] == "offered" and moved["passed"] == 1
    assert client.get("/api/desk/handovers", headers=wang).json["handovers"] == []
    assert [h["id"] for h in client.get("/api/desk/handovers", headers=li).json["handovers"]] == [hid]
    last = client.post(f"/api/handovers/{hid}/decline", headers=li).json
    assert last["status"] == "unanswered"
    assert "回电" in last["lines"]["zh"]
    kinds = [e["kind"] for e in _timeline(client, staff, session["visit_id"])]
    assert kinds.count("handover_passed") == 1 and kinds.count("handover_unanswered") == 1


def test_an_unanswered_offer_passes_on_after_the_answer_time(client, device, desk, app):
    wang, li = desk("王经理"), desk("李工")
    _present(client, wang)
    _present(client, li)
    _session_, body = _hand_over(client, device)
    hid, offered = body["handover"]["id"], clock.now()
    answer_s = app.extensions["hall"].answer_s
    assert answer_s == 90
    with clock.frozen(offered + timedelta(seconds=answer_s - 5)):
        assert pass_handovers(app) == 0
    with clock.frozen(offered + timedelta(seconds=answer_s + 1)):
        assert pass_handovers(app) == 1
        assert pass_handovers(app) == 0  # a second worker's run finds nothing due
    mine = client.get("/api/desk/handovers", headers=li).json["handovers"]
    assert [(h["id"], h["status"]) for h in mine] == [(hid, "offered")]
    with clock.frozen(offered + timedelta(seconds=2 * answer_s + 5)):
        assert pass_handovers(app) == 1
    with app.extensions["sessions"]() as s:
        from kiosk.models import Handover

        assert s.get(Handover, hid).status == "unanswered"
        assert [t["answer"] for t in s.get(Handover, hid).tried] == ["no_answer", "no_answer"]


def test_customer_not_found_calls_a_guide(client, device, desk, staff, app):
    wang = desk("王经理")
    _present(client, wang)
    _session_, body = _hand_over(client, device)
    hid = body["handover"]["id"]
    assert client.post(f"/api/handovers/{hid}/not-found", headers=wang).status_code == 409  # not accepted yet
    client.post(f"/api/handovers/{hid}/accept", headers=wang)
    gone = client.post(f"/api/handovers/{hid}/not-found", headers=wang)
    assert gone.status_code == 200 and gone.json["status"] == "not_found"
    with app.extensions["sessions"]() as s:
        assert [a.reason for a in s.query(GuideAlert)] == ["customer_not_found"]


def test_only_a_linked_back_office_account_has_a_desk(client, staff, desk):
    guide = staff("guide")
    assert client.post("/api/desk/presence", json={"available": True}, headers=guide).status_code == 403
    assert client.get("/api/desk/handovers", headers=staff("admin")).status_code == 403  # no desk of its own
    assert client.post("/api/desk/presence", json={"available": "yes"}, headers=desk("王经理")).status_code == 422


def test_the_department_works_its_call_backs(client, device, desk, staff, app):
    wang, dispatcher = desk("王经理"), desk("抢修调度")
    session = _session(client, device)
    made = client.post("/api/callbacks", headers=device, json={
        "business_type": "capacity_change", "name": "李四", "phone": "13912345678",
        "session_id": session["id"]}).json
    listed = client.get("/api/desk/callbacks", headers=wang).json["callbacks"]
    assert [(c["id"], c["phone_masked"], c["status"]) for c in listed] == [(made["id"], "139****5678", "open")]
    assert "13912345678" not in str(listed)
    assert client.get("/api/desk/callbacks", headers=dispatcher).json["callbacks"] == []
    assert client.post(f"/api/callbacks/{made['id']}/status", json={"status": "called"},
                       headers=dispatcher).status_code == 403
    for status in ("no_answer", "called", "done"):
        r = client.post(f"/api/callbacks/{made['id']}/status", json={"status": status}, headers=wang)
        assert r.status_code == 200 and r.json["status"] == status
    assert client.post(f"/api/callbacks/{made['id']}/status", json={"status": "open"},
                       headers=wang).status_code == 422
    assert client.get("/api/desk/callbacks?status=done", headers=wang).json["callbacks"][0]["id"] == made["id"]
    phone = client.post(f"/api/callbacks/{made['id']}/phone", headers=wang).json["phone"]
    assert phone == "13912345678"
    audit = client.get("/api/audit", headers=staff("supervisor")).json["entries"]
    actions = [e["action"] for e in audit if e["target"] == f"callback:{made['id']}"]
    assert sorted(actions) == sorted(["callback.no_answer", "callback.called", "callback.done", "phone.reveal"])
    kinds = [e["kind"] for e in _timeline(client, staff, session["visit_id"])]
    assert "callback_requested" in kinds and kinds.count("callback_worked") == 3


@pytest.mark.parametrize("channel,who,status", [
    ("desk:{own}", "own", 200), ("desk:{other}", "own", 403), ("desk:{own}", "guide", 403),
    ("desk:{own}", "supervisor", 200),
])
def test_a_desk_channel_is_its_own_desks(client, desk, staff, app, channel, who, status):
    from kiosk.hall import duty

    with app.extensions["sessions"]() as s:
        own, other = duty.by_name(s, "王经理").id, duty.by_name(s, "李工").id
    headers = desk("王经理") if who == "own" else staff(who)
    resp = client.get("/api/stream?channel=" + channel.format(own=own, other=other), headers=headers,
                      buffered=False)
    assert resp.status_code == status
    resp.close()
