"""Service evaluation: counter sign-in and who served, ratings after service, scorecards per person,
the visit search, complaint cases and the evidence pack (docs/staff.md)."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pypdf
from sqlalchemy import select

from kiosk.hall import (accounts, appointments, callbacks, counters, duty, handovers, ratings, shifts, snapshots,
                        tickets, triage, triage_review, visits)
from kiosk.models import AppointmentSlot, AuditEntry, Counter, Ticket, User

DAY = date(2026, 11, 20)
TZ = ZoneInfo("Asia/Shanghai")


def at(hh_mm: str, day: date = DAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(hh_mm), TZ)


def account(app, name: str, role: str, staff: str | None = None) -> tuple[dict, int]:
    """A staff account; a back-office one names its person in the duty roster (`staff`)."""
    with app.extensions["sessions"]() as s, s.begin():
        person = duty.by_name(s, staff) if staff else None
        user, token = accounts.create_user(s, name, role, "password-123", staff=person)
        return {"Authorization": f"Bearer {token}"}, user.id


def kiosk_ticket(client, device, business_type: str = "pay_bill") -> dict:
    session = client.post("/api/kiosk/sessions", json={"device_id": "kiosk-1"}, headers=device).json
    made = client.post("/api/tickets", json={"business_type": business_type, "visit_id": session["visit_id"]},
                       headers=device)
    assert made.status_code == 201
    return made.json


def timeline(client, sup, visit_id: int) -> dict:
    return client.get(f"/api/visits/{visit_id}", headers=sup).json


# -- counter sign-in ---------------------------------------------------------------------------


def test_signing_in_opens_the_counter_under_a_name_and_its_calls_are_theirs(client, device, app):
    zhang, _ = account(app, "zhang", "counter")
    wang, wang_id = account(app, "wang", "counter")
    sup, _ = account(app, "sup", "supervisor")
    signed = client.post("/api/counters/1/sign-in", headers=zhang)
    assert signed.status_code == 200 and signed.json["is_open"] and signed.json["signed_in"]["name"] == "zhang"
    taken = client.post("/api/counters/1/sign-in", headers=wang)
    assert taken.status_code == 409 and taken.json["error"]["code"] == "counter_taken"
    assert client.post("/api/counters/1/sign-in", headers=device).status_code == 403

    first = kiosk_ticket(client, device)
    # the supervisor presses call-next at counter 1: zhang, signed in there, serves the customer
    assert client.post("/api/counters/1/call-next", headers=sup).json["id"] == first["id"]
    assert client.post("/api/counters/1/sign-out", headers=wang).json["error"]["code"] == "not_signed_in_here"
    busy = client.post("/api/counters/1/sign-out", headers=zhang)
    assert busy.status_code == 409 and busy.json["error"]["code"] == "counter_busy"
    assert client.post(f"/api/tickets/{first['id']}/serve", headers=zhang).status_code == 200
    done = client.post(f"/api/tickets/{first['id']}/done", headers=zhang).json
    ticket = timeline(client, sup, first["visit_id"])["tickets"][0]
    assert (ticket["served_by"], ticket["counter"]) == ("zhang", "1号窗口")
    handled = datetime.fromisoformat(done["finished_at"]) - datetime.fromisoformat(done["serving_at"])
    assert ticket["service_s"] == int(handled.total_seconds())
    called = [e for e in timeline(client, sup, first["visit_id"])["events"] if e["kind"] == "ticket_called"]
    assert called[0]["data"]["served_by"] == "zhang"

    # one person, one counter: signing in at counter 2 leaves counter 1, which closes
    assert client.post("/api/counters/2/sign-in", headers=zhang).status_code == 200
    listed = {c["id"]: c for c in client.get("/api/counters", headers=zhang).json["counters"]}
    assert listed[1]["signed_in"] is None and not listed[1]["is_open"]
    assert listed[2]["signed_in"]["name"] == "zhang"
    assert client.post("/api/counters/2/sign-out", headers=sup).json["signed_in"] is None  # a supervisor may
    # nobody signed in at counter 3: whoever calls serves
    assert client.patch("/api/counters/3", json={"is_open": True, "queues": ["A"]}, headers=wang).status_code == 200
    second = kiosk_ticket(client, device)
    assert client.post("/api/counters/3/call-next", headers=wang).json["id"] == second["id"]
    with app.extensions["sessions"]() as s:
        assert s.get(Ticket, second["id"]).served_by == wang_id
        actions = s.execute(select(AuditEntry.action, AuditEntry.target)
                            .where(AuditEntry.action.like("counter.sign%")).order_by(AuditEntry.id)).all()
    assert [tuple(a) for a in actions] == [("counter.sign_in", "counter:1"), ("counter.sign_out", "counter:1"),
                                           ("counter.sign_in", "counter:2"), ("counter.sign_out", "counter:2")]


# -- ratings after service ---------------------------------------------------------------------


def test_a_rating_comes_once_after_the_service_and_a_poor_one_opens_a_follow_up(client, device, app):
    zhang, _ = account(app, "zhang", "counter")
    sup, _ = account(app, "sup", "supervisor")
    ticket = kiosk_ticket(client, device)
    link = ticket["status_url"].split("/t/")[1]
    client.post("/api/counters/1/sign-in", headers=zhang)
    client.post("/api/counters/1/call-next", headers=zhang)
    for url, headers in ((f"/api/tickets/{ticket['id']}/rating", device), (f"/api/tickets/status/{link}/rating", {})):
        early = client.post(url, json={"rating": 5}, headers=headers)
        assert early.status_code == 409 and early.json["error"]["code"] == "not_done"
    assert client.get(f"/api/tickets/status/{link}").json["rated"] is False
    client.post(f"/api/tickets/{ticket['id']}/done", headers=zhang)
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": 3, "comment": "x" * 501}, {}):
        assert client.post(f"/api/tickets/{ticket['id']}/rating", json=bad, headers=device).status_code == 422
    assert client.post(f"/api/tickets/{ticket['id']}/rating", json={"rating": 3}, headers=zhang).status_code == 403
    rated = client.post(f"/api/tickets/status/{link}/rating",
                        json={"rating": 2, "comment": "等太久了，请回电13812345678"})
    assert rated.status_code == 201
    assert client.get(f"/api/tickets/status/{link}").json["rated"] is True
    for url, headers in ((f"/api/tickets/{ticket['id']}/rating", device), (f"/api/tickets/status/{link}/rating", {})):
        again = client.post(url, json={"rating": 5}, headers=headers)
        assert again.status_code == 409 and again.json["error"]["code"] == "already_rated"
    assert client.post("/api/tickets/status/forged/rating", json={"rating": 5}).status_code == 404

    found = client.get("/api/cases", headers=sup).json["cases"]
    assert [(c["origin"], c["reason"], c["ticket_id"], c["opened_by"]) for c in found] == \
        [("rating", "low_rating", ticket["id"], None)]
    assert found[0]["account"] == "等太久了，请回电138****5678"
    v = timeline(client, sup, ticket["visit_id"])
    assert v["rating"] == 2
    assert {k: v["tickets"][0]["rating"][k] for k in ("rating", "source", "served_by", "counter", "comment")} == \
        {"rating": 2, "source": "mobile", "served_by": "zhang", "counter": "1号窗口",
         "comment": "等太久了，请回电138****5678"}
    assert [e["kind"] for e in v["events"]][-2:] == ["rating", "case_opened"]

    good = kiosk_ticket(client, device)
    client.post("/api/counters/1/call-next", headers=zhang)
    client.post(f"/api/tickets/{good['id']}/done", headers=zhang)
    assert client.get("/api/counters/1/to-rate", headers=device).json["ticket"]["id"] == good["id"]
    assert client.post(f"/api/tickets/{good['id']}/rating", json={"rating": 4}, headers=device).status_code == 201
    assert client.get("/api/counters/1/to-rate", headers=device).json["ticket"] is None
    assert client.get("/api/cases", headers=sup).json["total"] == 1  # a good rating opens nothing


# -- scorecards -----------------------------------------------------------------------------------


def _a_day_of_work(app) -> dict:
    """A day with known figures: zhang at counter 1, li guiding on two shifts, 王经理's hand-overs and
    call-backs (worked by wang, the account at their desk)."""
    hall, sessions = app.extensions["hall"], app.extensions["sessions"]
    with sessions() as s, s.begin():
        zhang = s.scalars(select(User).where(User.username == "zhang")).one()
        li = s.scalars(select(User).where(User.username == "li")).one()
        counters.sign_in(s, s.get(Counter, 1), zhang, at=at("08:55"))
        issued = [tickets.issue(s, hall, "pay_bill", at=at(hm)) for hm in ("09:00", "09:05", "09:06", "09:07")]

        def call(hm):
            return tickets.call_next(s, hall, 1, at(hm), by="zhang", caller_id=zhang.id)

        t1 = call("09:10")  # waited 10 min
        tickets.transition(s, t1, "serving", at=at("09:11"), by="zhang")
        tickets.transition(s, t1, "done", at=at("09:17"), by="zhang")  # handled 6 min
        t2 = call("09:20")  # waited 15 min
        tickets.transition(s, t2, "serving", at=at("09:20"), by="zhang")
        tickets.transition(s, t2, "done", at=at("09:30"), by="zhang")  # handled 10 min
        t3 = call("09:31")
        tickets.transition(s, t3, "no_show", at=at("09:35"), by="zhang")
        t4 = call("09:36")
        tickets.transfer(s, hall, t4, "B", at=at("09:37"), by="zhang")
        assert [t.id for t in (t1, t2, t3, t4)] == [t.id for t in issued]
        ratings.rate(s, t1, 5, source="pad", at=at("09:18"))
        ratings.rate(s, t2, 1, "不满意", source="pad", at=at("09:31"))

        shifts.logged_in(s, li, timedelta(hours=8), at=at("08:30"))
        shifts.logged_out(s, li.id, at=at("12:30"))
        shifts.logged_in(s, li, timedelta(hours=4), at=at("13:30"))

        def visit(hm, nearest, greeted):
            v = visits.open_visit(s, device_id="kiosk-1", track_id=hm, at=at(hm))
            visits.record(s, v, "approach", {"distance_m": 2.9}, at=at(hm))
            if greeted:
                visits.record(s, v, "greeted", {"latency_ms": 200, "distance_m": 1.9}, at=at(hm))
            visits.record(s, v, "left", {"nearest_m": nearest}, at=at(hm) + timedelta(minutes=1))
            return v

        near_greeted = visit("09:40", 1.5, True)
        visit("09:50", 1.6, False)  # came near, not greeted: a miss on li's first shift
        visit("10:10", 2.6, False)  # stopped at 2.6 m: never owed a greeting
        visit("12:45", 1.4, False)  # between li's shifts
        visit("14:10", 1.8, True)
        first = triage.record(s, near_greeted, "pay_bill", 0.9, "交电费", "assistant", at=at("09:41"))
        second = triage.record(s, near_greeted, "invoice", 0.5, "开票", "assistant", at=at("13:59"))
        triage_review.confirm(s, first, actor="li", user_id=li.id, at=at("10:00"))
        triage_review.correct(s, hall, second, "pay_bill", actor="li", user_id=li.id, at=at("14:00"))
        for raised, answered in (("10:00:00", "10:00:30"), ("14:00:00", "14:01:30")):
            alert = duty.alert_guide(s, "asked_for_human", at=at(raised))
            alert.resolved_at, alert.resolved_by = at(answered), li.id
        manager = duty.by_name(s, "王经理")

        def handover(hm):
            return handovers.offer(s, hall, "capacity_change", manager, at=at(hm))

        handovers.accept(s, hall, handover("10:00"), manager, at=at("10:02"))  # 120 s after the offer
        handovers.decline(s, hall, handover("11:00"), manager, at=at("11:01"))  # nobody else: unanswered
        handovers.accept(s, hall, handover("11:30"), manager, at=at("11:30:40"))  # 40 s

        def callback(hm, *worked):
            made, _ = callbacks.request(s, hall, "capacity_change", "张三", "13912345678", at=at(hm))
            for status, actor, when in worked:
                callbacks.set_status(s, made, status, actor=actor, person=None if actor == "sup" else manager,
                                     at=at(when))

        callback("12:00", ("called", "wang", "12:10"), ("done", "wang", "12:20"))
        callback("12:05", ("no_answer", "wang", "12:15"))
        callback("12:06", ("done", "sup", "12:30"))  # the supervisor's, on nobody's card
        return {"zhang": zhang.id, "li": li.id}


def test_scorecards_count_each_person_and_only_the_supervisor_reads_them_all(client, app):
    zhang, _ = account(app, "zhang", "counter")
    li, _ = account(app, "li", "guide")
    wang, _ = account(app, "wang", "backoffice", staff="王经理")
    sup, _ = account(app, "sup", "supervisor")
    _a_day_of_work(app)
    period = f"from={DAY}&to={DAY}"
    report = client.get(f"/api/reports/staff?{period}", headers=sup)
    assert report.status_code == 200
    rows = {r["name"]: r for r in report.json["staff"]}
    assert {k: rows["zhang"][k] for k in ("kind", "served", "avg_handling_min", "avg_wait_min", "ratings",
                                          "avg_rating", "bad_share", "no_shows", "transfers")} == \
        {"kind": "counter", "served": 2, "avg_handling_min": 8.0, "avg_wait_min": 12.5, "ratings": 2,
         "avg_rating": 3.0, "bad_share": 0.5, "no_shows": 1, "transfers": 1}
    guide = rows["li"]
    assert {k: guide[k] for k in ("kind", "within_2m", "greeted", "greeting_compliance", "triages_confirmed",
                                  "triages_corrected", "alerts_answered", "alert_response_s")} == \
        {"kind": "guide", "within_2m": 3, "greeted": 2, "greeting_compliance": 0.667, "triages_confirmed": 1,
         "triages_corrected": 1, "alerts_answered": 2, "alert_response_s": 60.0}
    assert [(x["within_2m"], x["greeted"], x["triages_confirmed"], x["triages_corrected"], x["alerts_answered"],
             x["alert_response_s"]) for x in guide["shifts"]] == [(2, 1, 1, 0, 1, 30.0), (1, 1, 0, 1, 1, 90.0)]
    assert [datetime.fromisoformat(x["end"]) for x in guide["shifts"]] == [at("12:30"), at("17:30")]
    assert {k: rows["王经理"][k] for k in ("kind", "desk", "handovers_accepted", "accept_s", "callbacks_done")} == \
        {"kind": "backoffice", "desk": "大客户经理室", "handovers_accepted": 2, "accept_s": 80.0, "callbacks_done": 1}
    assert (rows["李工"]["handovers_accepted"], rows["李工"]["callbacks_done"]) == (0, 0)
    assert "sup" not in rows  # a supervisor has a row only once they serve at a counter

    # a guide, counter or back-office account: 403 for the report, their own card only
    for headers in (zhang, li, wang):
        assert client.get(f"/api/reports/staff?{period}", headers=headers).status_code == 403
        assert client.get(f"/api/reports/staff.csv?{period}", headers=headers).status_code == 403
    mine = client.get(f"/api/reports/staff/me?{period}", headers=zhang).json["card"]
    assert mine == rows["zhang"]
    assert client.get(f"/api/reports/staff/me?{period}", headers=li).json["card"]["name"] == "li"
    assert client.get(f"/api/reports/staff/me?{period}", headers=wang).json["card"] == rows["王经理"]
    assert client.get("/api/reports/staff?from=2026-13-01", headers=sup).status_code == 422
    csv = client.get(f"/api/reports/staff.csv?{period}", headers=sup)
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert csv.mimetype == "text/csv" and lines[0].startswith("kind,name,role,served")
    assert sum(line.startswith("guide_shift,li,") for line in lines) == 2
    assert any(line.startswith("counter,zhang,counter,2,8.0,12.5,2,3.0,0.5,1,1") for line in lines)

    # greeting compliance counts those who came within 2 m: the one who stopped at 2.6 m is no miss
    g = client.get(f"/api/kpis?date_from={DAY}&date_to={DAY}", headers=sup).json["greeting"]
    assert (g["approached"], g["within_2m"], g["greeted"], g["compliance"]) == (5, 4, 2, 0.5)
    missed = client.get(f"/api/visits?date_from={DAY}&greeting=missed", headers=sup).json["visits"]
    assert sorted(v["nearest_m"] for v in missed) == [1.4, 1.6]


# -- the visit search -------------------------------------------------------------------------


def test_a_visit_is_found_by_ticket_appointment_phone_counter_staff_time_rating_or_case(client, app):
    sup, _ = account(app, "sup", "supervisor")
    account(app, "zhang", "counter")
    account(app, "wang", "counter")
    hall, sessions = app.extensions["hall"], app.extensions["sessions"]
    with sessions() as s, s.begin():
        zhang = s.scalars(select(User).where(User.username == "zhang")).one()
        wang = s.scalars(select(User).where(User.username == "wang")).one()
        today = visits.open_visit(s, device_id="kiosk-1")
        ticket = tickets.issue(s, hall, "pay_bill", visit=today)
        counters.sign_in(s, s.get(Counter, 1), zhang)
        tickets.call_next(s, hall, 1, by="zhang")
        tickets.transition(s, ticket, "done", by="zhang")
        ratings.rate(s, ticket, 1, source="pad")
        earlier = visits.open_visit(s, device_id="kiosk-1", at=at("15:00"))
        slot = AppointmentSlot(business_type="capacity_change", start=at("10:00") + timedelta(days=1),
                               end=at("11:00") + timedelta(days=1), capacity=3, booked=0)
        s.add(slot)
        s.flush()
        appt, _new = appointments.book(s, hall, slot_id=slot.id, business_type="capacity_change", name="张三",
                                 phone="138 1234 5678", visit=earlier, at=at("15:01"))
        old = tickets.issue(s, hall, "pay_bill", visit=earlier, at=at("15:02"))
        counters.sign_in(s, s.get(Counter, 2), wang, at=at("15:00"))
        tickets.call_next(s, hall, 2, at("15:05"), by="wang")
        ids, code, zhang_id, wang_id = (today.id, earlier.id), appt.code, zhang.id, wang.id
        assert (ticket.number, old.number) == ("A001", "A001")

    def found(query: str) -> list[int]:
        r = client.get(f"/api/visits?{query}", headers=sup)
        assert r.status_code == 200, r.json
        return [v["id"] for v in r.json["visits"]]

    now, then = ids
    assert found("ticket=A001") == [now]  # today unless told
    assert found(f"ticket=a001&day={DAY}") == [then]
    assert found("ticket=A002") == []
    assert found(f"appointment={code.lower()}") == [then]  # any day
    assert found(f"phone4=5678&date_from={DAY}") == [then]
    assert found("phone4=5678") == []  # today's visits only, by default
    assert found(f"counter=2&date_from={DAY}") == [then] and found("counter=1") == [now]
    assert found(f"staff={zhang_id}") == [now] and found(f"staff={wang_id}&date_from={DAY}") == [then]
    assert found(f"date_from={DAY}&date_to={DAY}&time_from=14:30&time_to=15:30") == [then]
    assert found(f"date_from={DAY}&date_to={DAY}&time_to=14:30") == []
    assert found("low_rating=true") == [now]
    assert found("case=any") == [now] and found("case=open") == [now]
    listed = client.get("/api/visits?ticket=A001", headers=sup).json["visits"][0]["tickets"]
    assert listed == [{"number": "A001", "status": "done", "counter": "1号窗口", "served_by": "zhang"}]
    case_id = client.get("/api/cases", headers=sup).json["cases"][0]["id"]
    client.post(f"/api/cases/{case_id}/close", json={"finding": "已回访，客户满意"}, headers=sup)
    assert found("case=open") == [] and found("case=any") == [now]
    for bad in ("ticket=A-1", "phone4=12", "time_from=9am", f"date_from={DAY}&time_from=25:00", "case=maybe",
                "counter=0", "staff=x", "day=yesterday"):
        assert client.get(f"/api/visits?{bad}", headers=sup).status_code == 422, bad


# -- complaint cases and the evidence pack ------------------------------------------------------


def test_a_case_is_opened_worked_and_closed_with_a_finding(client, device, app):
    sup, _ = account(app, "sup", "supervisor")
    guide, _ = account(app, "li", "guide")
    visit = kiosk_ticket(client, device)["visit_id"]
    opened = client.post(f"/api/visits/{visit}/cases", headers=sup,
                         json={"reason": "attitude", "account": "窗口人员态度差，我的电话13912345678"})
    assert opened.status_code == 201
    case = opened.json
    assert (case["origin"], case["status"], case["opened_by"]) == ("complaint", "open", "sup")
    assert case["account"] == "窗口人员态度差，我的电话139****5678"
    assert client.post(f"/api/visits/{visit}/cases", json={"reason": "rude"}, headers=sup).status_code == 422
    assert client.post(f"/api/visits/{visit}/cases", json={"reason": "other"}, headers=guide).status_code == 403
    assert client.post("/api/visits/99999/cases", json={"reason": "other"}, headers=sup).status_code == 404
    noted = client.post(f"/api/cases/{case['id']}/notes", json={"text": "调取录像，致电 13912345678"}, headers=sup)
    assert noted.status_code == 201 and noted.json["notes"][0]["text"] == "调取录像，致电 139****5678"
    assert client.post(f"/api/cases/{case['id']}/close", json={"finding": " "}, headers=sup).status_code == 422
    closed = client.post(f"/api/cases/{case['id']}/close", json={"finding": "属实，已批评教育"}, headers=sup)
    assert closed.status_code == 200 and (closed.json["status"], closed.json["closed_by"]) == ("closed", "sup")
    for again in (client.post(f"/api/cases/{case['id']}/close", json={"finding": "x"}, headers=sup),
                  client.post(f"/api/cases/{case['id']}/notes", json={"text": "x"}, headers=sup)):
        assert again.status_code == 409 and again.json["error"]["code"] == "case_closed"
    assert client.get("/api/cases?status=closed", headers=sup).json["total"] == 1
    assert client.get("/api/cases?status=open", headers=sup).json["total"] == 0
    assert [e["kind"] for e in timeline(client, sup, visit)["events"]][-2:] == ["case_opened", "case_closed"]
    audit = client.get("/api/audit?action=case.", headers=sup).json["entries"]
    assert [e["action"] for e in audit] == ["case.close", "case.note", "case.open"]


def test_the_evidence_pack_holds_the_visit_and_who_has_viewed_it(client, device, app):
    zhang, _ = account(app, "zhang", "counter")
    sup1, _ = account(app, "sup1", "supervisor")
    sup2, _ = account(app, "sup2", "supervisor")
    guide, guide_id = account(app, "li", "guide")
    hall, sessions = app.extensions["hall"], app.extensions["sessions"]
    session = client.post("/api/kiosk/sessions", json={"device_id": "kiosk-1"}, headers=device).json
    visit_id = session["visit_id"]
    with sessions() as s, s.begin():
        v = visits.get_visit(s, visit_id)
        visits.record(s, v, "dialog_turn", {"text": "开发票，电话13912345678", "bot": ["好的，请稍等"]})
        made = triage.record(s, v, "pay_bill", 0.55, "开发票，电话13912345678", "assistant")
        triage_review.correct(s, hall, made, "invoice", actor="li", user_id=guide_id)
    ticket = client.post("/api/tickets", json={"business_type": "invoice", "visit_id": visit_id}, headers=device).json
    client.post("/api/counters/1/sign-in", headers=zhang)
    client.post("/api/counters/1/call-next", headers=zhang)
    client.post(f"/api/tickets/{ticket['id']}/serve", headers=zhang)
    client.post(f"/api/tickets/{ticket['id']}/done", headers=zhang)
    client.post(f"/api/tickets/{ticket['id']}/rating", json={"rating": 1, "comment": "态度不好"}, headers=device)
    img = np.full((240, 320, 3), 90, np.uint8)
    cv2.circle(img, (160, 120), 60, (200, 180, 160), -1)
    jpeg = cv2.imencode(".jpg", cv2.GaussianBlur(img, (31, 31), 0))[1].tobytes()
    with sessions() as s, s.begin():
        snapshots.store(s, app.extensions["settings"].snapshot_dir, visits.get_visit(s, visit_id), jpeg)

    assert client.get(f"/api/visits/{visit_id}/report.pdf", headers=guide).status_code == 403
    assert client.get("/api/visits/99999/report.pdf", headers=sup1).status_code == 404
    assert client.get(f"/api/visits/{visit_id}/report.pdf", headers=sup1).status_code == 200
    pack = client.get(f"/api/visits/{visit_id}/report.pdf", headers=sup2)
    assert pack.status_code == 200 and pack.mimetype == "application/pdf"
    assert f"visit-{visit_id}-" in pack.headers["Content-Disposition"]
    pdf = pypdf.PdfReader(io.BytesIO(pack.data))
    # pypdf reads fpdf2's embedded CMap encoding with a NUL before each character; poppler reads it clean
    text = "".join(page.extract_text() for page in pdf.pages).replace("\x00", "")
    for expected in ("服务过程证据包", ticket["number"], "1号窗口", "zhang", "1 / 5", "态度不好", "139****5678",
                     "开发票", "已更正", "差评", "sup1", "sup2"):
        assert expected in text, expected
    assert "13912345678" not in text
    assert sum(len(page.images) for page in pdf.pages) == 1  # the blurred snapshot's thumbnail
    fonts = {str(f) for page in pdf.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # the CJK font is embedded as a subset
    english = pypdf.PdfReader(io.BytesIO(client.get(f"/api/visits/{visit_id}/report.pdf?lang=en",
                                                    headers=sup1).data))
    assert "Evidence pack" in english.pages[0].extract_text().replace("\x00", "")
    viewed = client.get("/api/audit?action=visit.pack_viewed", headers=sup1).json["entries"]
    assert [(e["actor"], e["target"]) for e in viewed] == [("sup1", f"visit:{visit_id}"),
                                                          ("sup2", f"visit:{visit_id}"),
                                                          ("sup1", f"visit:{visit_id}")]
