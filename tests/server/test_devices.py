"""Each device kind within its scope (kiosk/hall/devices.py), in production where only devices' own tokens count."""
from __future__ import annotations

import pytest

from kiosk.hall import devices
from kiosk.web.auth import Actor, allows


@pytest.fixture
def hall(db_url, tmp_path):
    """A production app (no shared token) and a way to register devices in it."""
    from kiosk.web import create_app
    from kiosk.web import maintenance
    from kiosk.web.database import dispose

    app = create_app({"database_url": db_url, "env": "production", "secrets_dir": tmp_path / "secrets",
                      "snapshot_dir": tmp_path / "snapshots", "rasa_url": "http://127.0.0.1:9"})

    def device(name: str, kind: str) -> dict:
        with app.extensions["sessions"]() as s, s.begin():
            return {"Authorization": f"Bearer {devices.add(s, name, kind)[1]}"}

    yield app.test_client(), device
    maintenance.stop(app)
    dispose(app)


EVENT = {"kind": "approach", "track_id": "7", "at": "2026-11-26T09:00:00+08:00"}


def test_an_agent_posts_for_its_own_kiosk_only(hall):
    client, device = hall
    agent = device("kiosk-1", "agent")
    mine = client.post("/api/visits/events", json={**EVENT, "device_id": "kiosk-1"}, headers=agent)
    assert mine.status_code == 201
    other = client.post("/api/visits/events", json={**EVENT, "device_id": "kiosk-2"}, headers=agent)
    assert other.status_code == 403 and other.json["error"]["code"] == "out_of_scope"
    theirs = client.post("/api/visits/events", json={**EVENT, "device_id": "kiosk-2"},
                         headers=device("kiosk-2", "agent")).json["visit_id"]
    jpeg = b"\xff\xd8" + b"\x00" * 100
    assert client.post(f"/api/visits/{mine.json['visit_id']}/snapshot", data=jpeg, headers=agent).status_code == 201
    assert client.post(f"/api/visits/{theirs}/snapshot", data=jpeg, headers=agent).status_code == 403
    # an agent issues no tickets and opens no dialogs
    assert client.post("/api/tickets", json={"business_type": "pay_bill"}, headers=agent).status_code == 403
    assert client.post("/api/kiosk/sessions", json={}, headers=agent).status_code == 403


def test_a_kiosk_acts_for_its_own_sessions_and_channel(hall):
    client, device = hall
    k1, k2 = device("kiosk-1", "kiosk"), device("kiosk-2", "kiosk")
    session = client.post("/api/kiosk/sessions", json={}, headers=k1).json
    assert session["mode"] == "menu"  # no assistant here
    assert client.post("/api/kiosk/sessions", json={"device_id": "kiosk-2"}, headers=k1).status_code == 403
    said = client.post(f"/api/kiosk/sessions/{session['id']}/messages", json={"payload": "/invoice"}, headers=k1)
    assert said.status_code == 200 and said.json["ticket"]["number"] == "A001"
    ticket_id = said.json["ticket"]["id"]
    assert client.post(f"/api/kiosk/sessions/{session['id']}/messages", json={"text": "hi"},
                       headers=k2).status_code == 403
    assert client.post(f"/api/kiosk/sessions/{session['id']}/end", headers=k2).status_code == 403
    # the ticket the menu issued at kiosk-1 is kiosk-1's to print, not kiosk-2's
    assert client.post(f"/api/kiosk/tickets/{ticket_id}/print", headers=k2).status_code == 403
    assert client.post(f"/api/kiosk/tickets/{ticket_id}/print", headers=k1).status_code == 201
    assert client.post(f"/api/visits/{session['visit_id']}/rating", json={"rating": 5}, headers=k2).status_code == 403
    assert client.post(f"/api/visits/{session['visit_id']}/rating", json={"rating": 5}, headers=k1).status_code == 201
    own = client.get("/api/stream?channel=kiosk:kiosk-1", headers=k1)
    assert own.status_code == 200
    own.close()
    assert client.get("/api/stream?channel=kiosk:kiosk-2", headers=k1).status_code == 403
    assert client.get("/api/stream?channel=guide", headers=k1).status_code == 403


def test_the_assistant_acts_for_kiosk_sessions_only(hall):
    client, device = hall
    assistant, kiosk = device("assistant", "assistant"), device("kiosk-1", "kiosk")
    session = client.post("/api/kiosk/sessions", json={}, headers=kiosk).json
    plain = client.post("/api/tickets", json={"business_type": "pay_bill"}, headers=assistant)
    assert plain.status_code == 403 and plain.json["error"]["code"] == "out_of_scope"
    linked = client.post("/api/tickets", json={"business_type": "pay_bill", "session_id": session["id"]},
                         headers=assistant)
    assert linked.status_code == 201 and linked.json["visit_id"] == session["visit_id"]
    # issued at kiosk-1 for its customer: the kiosk may print it
    assert client.post(f"/api/kiosk/tickets/{linked.json['id']}/print", headers=kiosk).status_code == 201
    assert client.post("/api/guide-alerts", json={"reason": "complaint", "session_id": session["id"]},
                       headers=assistant).status_code == 201
    assert client.post("/api/route", json={"business_type": "solar_pv", "session_id": session["id"]},
                       headers=assistant).status_code == 201
    assert client.post("/api/kiosk/sessions", json={}, headers=assistant).status_code == 403


def test_a_rating_pad_rates_what_its_counter_just_finished_and_a_display_only_watches(hall):
    from kiosk.hall import accounts

    client, device = hall
    with client.application.extensions["sessions"]() as s, s.begin():
        counter = {"Authorization": f"Bearer {accounts.create_user(s, 'zhang', 'counter', 'password-123')[1]}"}
    kiosk = device("kiosk-1", "kiosk")
    pad, other_pad, display = device("counter-1", "rating-pad"), device("counter-3", "rating-pad"), device("tv", "display")
    session = client.post("/api/kiosk/sessions", json={}, headers=kiosk).json
    ticket = client.post("/api/kiosk/sessions/" + session["id"] + "/messages", json={"payload": "/invoice"},
                         headers=kiosk).json["ticket"]
    assert client.post("/api/counters/1/sign-in", headers=counter).status_code == 200
    assert client.post("/api/counters/1/call-next", headers=counter).json["id"] == ticket["id"]
    early = client.post(f"/api/tickets/{ticket['id']}/rating", json={"rating": 4}, headers=pad)
    assert early.status_code == 409 and early.json["error"]["code"] == "not_done"
    assert client.post(f"/api/tickets/{ticket['id']}/done", headers=counter).status_code == 200
    assert client.get("/api/counters/1/to-rate", headers=pad).json["ticket"]["id"] == ticket["id"]
    assert client.get("/api/counters/1/to-rate", headers=other_pad).status_code == 403
    theirs = client.post(f"/api/tickets/{ticket['id']}/rating", json={"rating": 4}, headers=other_pad)
    assert theirs.status_code == 403 and theirs.json["error"]["code"] == "out_of_scope"
    assert client.post(f"/api/tickets/{ticket['id']}/rating", json={"rating": 4}, headers=kiosk).status_code == 403
    assert client.post(f"/api/tickets/{ticket['id']}/rating", json={"rating": 4}, headers=pad).status_code == 201
    # a pad rates tickets, not a kiosk's visits; it issues nothing; a display does neither
    assert client.post(f"/api/visits/{session['visit_id']}/rating", json={"rating": 4}, headers=pad).status_code == 403
    assert client.post("/api/tickets", json={"business_type": "pay_bill"}, headers=pad).status_code == 403
    assert client.post("/api/tickets", json={"business_type": "pay_bill"}, headers=display).status_code == 403
    assert client.post(f"/api/tickets/{ticket['id']}/rating", json={"rating": 4}, headers=display).status_code == 403
    # a rating pad is named for its counter
    with client.application.extensions["sessions"]() as s, pytest.raises(Exception, match="counter-<id>"):
        devices.add(s, "pad-by-the-door", "rating-pad")


def test_require_device_means_any_device_and_the_shared_token_every_kind():
    kiosk = Actor("device", "kiosk", "kiosk-1", device=devices.Credential("kiosk", "kiosk-1"))
    shared = Actor("device", "device", "device", device=devices.Credential(devices.ANY, "device"))
    guide = Actor("user", "guide", "li")
    assert allows(kiosk, {"device"}) and allows(shared, {"device"})
    assert allows(kiosk, {"kiosk"}) and not allows(kiosk, {"agent", "guide"})
    assert allows(shared, {"agent"}) and not allows(shared, {"guide", "supervisor"})
    assert allows(guide, {"guide"}) and not allows(guide, {"device", "kiosk"})


def test_adding_revoking_and_adding_again(hall):
    client, device = hall
    old = device("kiosk-1", "kiosk")
    with pytest.raises(Exception, match="exists"):
        device("kiosk-1", "kiosk")
    app_sessions = client.application.extensions["sessions"]
    with app_sessions() as s, s.begin():
        assert [d.kind for d in devices.revoke(s, "kiosk-1")] == ["kiosk"]
    assert client.post("/api/kiosk/sessions", json={}, headers=old).status_code == 401
    new = device("kiosk-1", "kiosk")  # a new token for the same kiosk
    assert client.post("/api/kiosk/sessions", json={}, headers=new).status_code == 201


def test_the_routing_decision_and_call_backs_within_each_devices_scope(hall):
    client, device = hall
    k1, k2, assistant = device("kiosk-1", "kiosk"), device("kiosk-2", "kiosk"), device("assistant", "assistant")
    display = device("tv", "display")
    session = client.post("/api/kiosk/sessions", json={}, headers=k1).json
    routed = client.post("/api/route", json={"business_type": "invoice", "session_id": session["id"]},
                         headers=assistant)
    assert routed.status_code == 201, routed.json
    # the assistant's ticket is the kiosk's where the customer stands: kiosk-1 prints it
    ticket_id = routed.json["ticket"]["id"]
    assert client.post(f"/api/kiosk/tickets/{ticket_id}/print", headers=k1).status_code == 201
    assert client.post("/api/route", json={"business_type": "invoice"}, headers=assistant).status_code == 403
    assert client.post("/api/route", json={"business_type": "invoice", "session_id": session["id"]},
                       headers=k2).status_code == 403
    assert client.post("/api/route", json={"business_type": "invoice"}, headers=display).status_code == 403
    callback = {"business_type": "solar_pv", "name": "张伟", "phone": "13812345678", "session_id": session["id"]}
    assert client.post("/api/callbacks", json=callback, headers=k2).status_code == 403
    assert client.post("/api/callbacks", json=callback, headers=k1).status_code == 201


def test_reading_aloud_is_the_kiosks_to_ask_and_its_own_agents_to_hear(hall):
    client, device = hall
    k1, k2 = device("kiosk-1", "kiosk"), device("kiosk-2", "kiosk")
    a1 = device("kiosk-1", "agent")
    session = client.post("/api/kiosk/sessions", json={}, headers=k1).json["id"]
    for path in (f"/api/kiosk/sessions/{session}/read-aloud", f"/api/kiosk/sessions/{session}/hush"):
        body = {"text": "请选择您要办理的业务"}
        assert client.post(path, json=body, headers=k1).status_code == 202
        assert client.post(path, json=body, headers=k2).status_code == 403  # not its session
        assert client.post(path, json=body, headers=a1).status_code == 403  # the agent only hears it
    heard = client.get("/api/stream?channel=speaker:kiosk-1", headers=a1)
    assert heard.status_code == 200
    heard.close()
    assert client.get("/api/stream?channel=speaker:kiosk-2", headers=a1).status_code == 403
    assert client.get("/api/stream?channel=speaker:kiosk-1", headers=k1).status_code == 403
