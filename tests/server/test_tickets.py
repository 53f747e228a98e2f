"""Tickets: numbering per queue and day, the order of calling, the life of a ticket."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from kiosk.hall import tickets
from kiosk.models import Ticket


def issue(client, device, business_type="pay_bill", **extra):
    resp = client.post("/api/tickets", json={"business_type": business_type, **extra}, headers=device)
    assert resp.status_code == 201, resp.json
    return resp.json


def open_counter(client, headers, counter_id, queues=None):
    body = {"is_open": True, **({"queues": queues} if queues else {})}
    assert client.patch(f"/api/counters/{counter_id}", json=body, headers=headers).status_code == 200


def test_numbers_run_per_queue(client, device):
    assert [issue(client, device)["number"] for _ in range(3)] == ["A001", "A002", "A003"]
    assert issue(client, device, "solar_pv")["number"] == "B001"
    assert issue(client, device, "invoice")["number"] == "A004"


def test_numbers_restart_each_service_day_and_history_is_kept(app):
    hall = app.extensions["hall"]
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    with app.extensions["sessions"]() as s, s.begin():
        old = tickets.issue(s, hall, "pay_bill", at=yesterday)
        new = tickets.issue(s, hall, "pay_bill")
        assert (old.number, new.number) == ("A001", "A001")
        assert old.service_day != new.service_day
    with app.extensions["sessions"]() as s:
        assert s.query(Ticket).count() == 2


def test_a_rolled_back_issue_never_leads_to_a_reused_number(app):
    """On PostgreSQL the number commits on its own (a gap is left); on SQLite it rolls back too."""
    hall, sessions = app.extensions["hall"], app.extensions["sessions"]
    with sessions() as s, s.begin():
        first = tickets.issue(s, hall, "pay_bill").number
    with sessions() as s:
        lost = tickets.issue(s, hall, "pay_bill").number
        s.rollback()
    with sessions() as s, s.begin():
        third = tickets.issue(s, hall, "pay_bill").number
    with sessions() as s:
        assert s.scalars(select(Ticket.number).order_by(Ticket.id)).all() == [first, third]
    expected = "A003" if app.extensions["numbering_engine"] is not None else "A002"
    assert (first, lost, third) == ("A001", "A002", expected)


def test_position_and_quoted_wait_are_returned_and_kept(client, device):
    first, second = issue(client, device), issue(client, device)
    assert (first["position"], second["position"]) == (1, 2)
    # one ticket ahead at the default 6 minutes, no counter open: 6 minutes
    assert second["estimated_wait_min"] == 6.0 and second["quoted_wait_min"] == 6.0
    assert second["status_url"].split("/t/")[1]


def test_call_next_serves_priority_then_oldest(client, device, staff):
    counter = staff("counter")
    plain, prio = issue(client, device), issue(client, staff("guide"), priority=True, priority_reason="elderly")
    open_counter(client, counter, 1)
    called = client.post("/api/counters/1/call-next", headers=counter).json
    assert called["id"] == prio["id"] and called["status"] == "called"
    client.post(f"/api/tickets/{prio['id']}/done", headers=counter)
    assert client.post("/api/counters/1/call-next", headers=counter).json["id"] == plain["id"]
    client.post(f"/api/tickets/{plain['id']}/done", headers=counter)
    assert client.post("/api/counters/1/call-next", headers=counter).status_code == 204


def test_closed_or_busy_counter_cannot_call(client, device, staff):
    counter = staff("counter")
    issue(client, device), issue(client, device)
    resp = client.post("/api/counters/1/call-next", headers=counter)
    assert resp.status_code == 409 and resp.json["error"]["code"] == "counter_closed"
    open_counter(client, counter, 1)
    client.post("/api/counters/1/call-next", headers=counter)
    resp = client.post("/api/counters/1/call-next", headers=counter)
    assert resp.status_code == 409 and resp.json["error"]["code"] == "counter_busy"


def test_life_of_a_ticket_is_time_stamped(client, device, staff):
    counter = staff("counter")
    t = issue(client, device)
    open_counter(client, counter, 1)
    client.post("/api/counters/1/call-next", headers=counter)
    recalled = client.post(f"/api/tickets/{t['id']}/recall", headers=counter).json
    assert recalled["recalls"] == 1 and recalled["status"] == "called"
    serving = client.post(f"/api/tickets/{t['id']}/serve", headers=counter).json
    assert serving["serving_at"]
    done = client.post(f"/api/tickets/{t['id']}/done", headers=counter).json
    assert done["status"] == "done" and done["finished_at"] >= done["serving_at"] >= done["called_at"]
    again = client.post(f"/api/tickets/{t['id']}/serve", headers=counter)
    assert again.status_code == 409 and again.json["error"]["code"] == "bad_transition"


def test_no_show_and_cancel(client, device, staff):
    counter = staff("counter")
    a, b = issue(client, device), issue(client, device)
    open_counter(client, counter, 1)
    client.post("/api/counters/1/call-next", headers=counter)
    assert client.post(f"/api/tickets/{a['id']}/no-show", headers=counter).json["status"] == "no_show"
    assert client.post(f"/api/tickets/{b['id']}/cancel", headers=device).json["status"] == "cancelled"
    assert client.post("/api/counters/1/call-next", headers=counter).status_code == 204


def test_transfer_keeps_place_by_issue_time(client, device, staff):
    guide = staff("guide")
    early = issue(client, device, "pay_bill")         # A001, will move to C
    c1, c2 = issue(client, device, "name_transfer"), issue(client, device, "name_transfer")
    moved = client.post(f"/api/tickets/{early['id']}/transfer",
                        json={"business_type": "tariff_change"}, headers=guide).json
    assert moved["queue"] == "C" and moved["number"] == "A001" and moved["transferred_from"] == "A"
    assert moved["position"] == 1 and moved["issued_at"] == early["issued_at"]
    assert client.get(f"/api/tickets/{c1['id']}", headers=guide).json["position"] == 2
    assert client.get(f"/api/tickets/{c2['id']}", headers=guide).json["position"] == 3


def test_transfer_refuses_mismatch_and_unknown_queue(client, device, staff):
    guide = staff("guide")
    t = issue(client, device)
    bad = client.post(f"/api/tickets/{t['id']}/transfer", json={"queue": "B", "business_type": "invoice"},
                      headers=guide)
    assert bad.status_code == 422 and bad.json["error"]["code"] == "queue_mismatch"
    bad = client.post(f"/api/tickets/{t['id']}/transfer", json={"queue": "Z"}, headers=guide)
    assert bad.status_code == 422 and bad.json["error"]["code"] == "unknown_queue"


def test_wait_estimate_follows_recent_services_and_open_counters(client, device, staff, app):
    counter = staff("counter")
    open_counter(client, counter, 1)
    open_counter(client, counter, 2)
    with app.extensions["sessions"]() as s, s.begin():
        hall = app.extensions["hall"]
        for _ in range(3):  # three services of 10 minutes each
            t = tickets.issue(s, hall, "pay_bill")
            start = datetime.now(timezone.utc) - timedelta(minutes=30)
            t.status, t.called_at, t.serving_at = "done", start, start
            t.finished_at, t.service_s = start + timedelta(minutes=10), 600
    issue(client, device), issue(client, device)
    third = issue(client, device)
    # two pay_bill customers ahead at 10 min each, two counters serve queue A: 10 minutes
    assert third["estimated_wait_min"] == 10.0
    queues = {q["queue"]: q for q in client.get("/api/queues").json["queues"]}
    assert queues["A"]["waiting"] == 3 and queues["A"]["open_counters"] == 2


def test_public_status_link_shows_no_ids_and_rejects_forgeries(client, device):
    t = issue(client, device)
    token = t["status_url"].split("/t/")[1]
    status = client.get(f"/api/tickets/status/{token}").json
    assert status["number"] == "A001" and "id" not in status and "visit_id" not in status
    assert client.get(f"/api/tickets/status/{token}x").status_code == 404


def test_daily_reset_closes_yesterdays_open_tickets_and_keeps_them(app):
    hall = app.extensions["hall"]
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    with app.extensions["sessions"]() as s, s.begin():
        old = tickets.issue(s, hall, "pay_bill", at=yesterday)
        today = tickets.issue(s, hall, "pay_bill")
        assert tickets.close_days_before(s, hall) == 1
        assert (old.status, today.status) == ("cancelled", "waiting")
        assert s.query(Ticket).count() == 2


def test_every_status_change_is_audited_with_who_made_it(app, client, device, staff):
    from kiosk.models import AuditEntry

    counter, guide = staff("counter"), staff("guide")
    open_counter(client, counter, 1, ["A", "B"])
    t = issue(client, device)
    client.post("/api/counters/1/call-next", headers=counter)
    client.post(f"/api/tickets/{t['id']}/recall", headers=counter)
    client.post(f"/api/tickets/{t['id']}/transfer", json={"queue": "B"}, headers=guide)
    client.post("/api/counters/1/call-next", headers=counter)
    client.post(f"/api/tickets/{t['id']}/serve", headers=counter)
    client.post(f"/api/tickets/{t['id']}/done", headers=counter)
    hall = app.extensions["hall"]
    with app.extensions["sessions"]() as s, s.begin():
        tickets.issue(s, hall, "pay_bill", at=datetime.now(timezone.utc) - timedelta(days=1))
        tickets.close_days_before(s, hall)
    with app.extensions["sessions"]() as s:
        entries = [(e.actor.rstrip("0123456789"), e.action, e.details["from"]) for e in
                   s.query(AuditEntry).filter(AuditEntry.action.startswith("ticket.")).order_by(AuditEntry.id)]
    assert entries == [("counter", "ticket.called", "waiting"), ("counter", "ticket.recalled", "called"),
                       ("guide", "ticket.transferred", "called"), ("counter", "ticket.called", "waiting"),
                       ("counter", "ticket.serving", "called"), ("counter", "ticket.done", "serving"),
                       ("daily reset", "ticket.cancelled", "waiting")]
