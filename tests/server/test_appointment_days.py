"""Appointments over days, with the clock moved: the rolling timetable, the desks' day list,
messages (confirmation, reminder, cancellation), the check-in window and no-shows."""
from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kiosk import clock
from kiosk.hall import timetable
from kiosk.models import AppointmentSlot
from kiosk.web import maintenance

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def jobs_by_the_test(app):
    """The test runs the hall's jobs itself, with its clock: the server's own loop does not start."""
    from kiosk.web import maintenance

    maintenance.stop(app)


def slots(client, device, days=14, business_type="solar_pv"):
    resp = client.get(f"/api/appointments/slots?business_type={business_type}&days={days}", headers=device)
    assert resp.status_code == 200, resp.json
    return resp.json["slots"]


def book(client, device, slot, phone="13812345678", name="张三", **extra):
    resp = client.post("/api/appointments", json={"slot_id": slot["id"], "business_type": slot["business_type"],
                                                  "name": name, "phone": phone, **extra}, headers=device)
    assert resp.status_code == 201, resp.json
    return resp.json


def start_of(slot) -> datetime:
    return datetime.fromisoformat(slot["start"])


def local_day(at: datetime) -> date:
    return at.astimezone(TZ).date()


def check_in(client, device, code, at):
    with clock.frozen(at):
        return client.post("/api/appointments/check-in", json={"code": code}, headers=device)


def run_messages(app, at):
    with clock.frozen(at):
        return maintenance.appointment_messages(app)


def outbox(app) -> list[dict]:
    path = app.extensions["settings"].outbox_file
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_a_week_passes_without_a_restart_and_the_slots_roll_on(app, client, device):
    first = slots(client, device)
    assert first and max(local_day(start_of(s)) for s in first) >= local_day(clock.now()) + timedelta(days=11)
    later = clock.now() + timedelta(days=7)
    with clock.frozen(later):
        assert slots(client, device)[-1] == first[-1]  # nothing made yet: only the job makes slots
        maintenance.run_once(app)  # the housekeeping job the server runs every few minutes
        rolled = slots(client, device)
    assert all(start_of(s) > later for s in rolled)
    assert max(local_day(start_of(s)) for s in rolled) >= local_day(later) + timedelta(days=11)
    assert {local_day(start_of(s)).isoweekday() for s in rolled} <= {1, 2, 3, 4, 5}
    # running the job again makes nothing twice
    with app.extensions["sessions"]() as s, s.begin(), clock.frozen(later):
        assert timetable.ensure_slots(s, app.extensions["hall"]) == 0


def test_days_asked_up_to_the_configured_most(client, device):
    days = 14
    found = slots(client, device, days=days)
    last_day = local_day(clock.now()) + timedelta(days=days - 1)
    assert all(local_day(start_of(s)) <= last_day for s in found)
    assert len({local_day(start_of(s)) for s in found}) >= 9  # two weeks of working days, less today
    assert len(slots(client, device, days=2)) < len(found)
    too_many = client.get("/api/appointments/slots?business_type=solar_pv&days=15", headers=device)
    assert too_many.status_code == 422 and too_many.json["error"]["code"] == "too_many_days"


def test_closures_and_a_changed_timetable_touch_only_unbooked_future_slots(app, client, device):
    found = slots(client, device)
    kept = found[0]
    book(client, device, kept)
    closed_day = local_day(start_of(kept))
    hall = app.extensions["hall"]
    table = dataclasses.replace(hall.timetable, closed=frozenset({closed_day}), times=(time(9, 30), time(14, 0)))
    app.extensions["hall"] = dataclasses.replace(hall, timetable=table)
    with app.extensions["sessions"]() as s, s.begin():
        assert timetable.ensure_slots(s, app.extensions["hall"]) > 0
    after = slots(client, device)
    # the closed day offers nothing; its booked slot keeps its customer and takes nobody else
    assert closed_day not in {local_day(start_of(s)) for s in after}
    with app.extensions["sessions"]() as s:
        booked = s.get(AppointmentSlot, kept["id"])
        assert booked.booked == 1 and booked.capacity == 1
    assert {start_of(s).astimezone(TZ).strftime("%H:%M") for s in after} == {"09:30", "14:00"}
    # reopening: the unbooked slots at the old times come back rather than being made twice
    app.extensions["hall"] = hall
    with app.extensions["sessions"]() as s, s.begin():
        timetable.ensure_slots(s, hall)
        starts = s.execute(select(AppointmentSlot.business_type, AppointmentSlot.start)).all()
    assert len(starts) == len(set(starts))
    assert {s["id"] for s in slots(client, device)} == {s["id"] for s in found}


def test_the_timetable_refuses_bad_closures_and_limits():
    table = timetable.parse({"times": ["09:00"], "closed": ["2027-02-06..2027-02-08", "2027-01-01"]})
    assert table is not None and len(table.closed) == 4
    for bad in ({"closed": ["2027-02-08..2027-02-06"]}, {"closed": ["tomorrow"]}, {"days_ahead": 0},
                {"weekdays": [8]}, {"times": ["25:00"]}, {"check_in": {"early_min": -1}}):
        with pytest.raises(timetable.TimetableError):
            timetable.parse(bad)


def test_the_day_list_for_a_desk_and_a_supervisor_not_a_device(client, device, desk, staff):
    solar = slots(client, device)[0]
    fault = next(s for s in slots(client, device, business_type="fault_report")
                 if local_day(start_of(s)) == local_day(start_of(solar)))
    mine = book(client, device, solar, name="张三丰")
    book(client, device, fault, phone="13912345678", name="李四")
    day = local_day(start_of(solar)).isoformat()
    wang = desk("王经理")
    listed = client.get(f"/api/appointments?date={day}", headers=wang)
    assert listed.status_code == 200
    rows = listed.json["appointments"]
    assert [r["code"] for r in rows] == [mine["code"]]  # only the business types 王经理 takes
    row = rows[0]
    assert row["name"] == "张**" and row["phone_masked"] == "138****5678" and "13812345678" not in listed.text
    assert row["status"] == "booked" and row["time"] == start_of(solar).astimezone(TZ).strftime("%H:%M")
    assert row["business_type_zh"] == "分布式光伏并网"
    refused = client.get(f"/api/appointments?date={day}&business_type=fault_report", headers=wang)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "out_of_scope"
    everyone = client.get(f"/api/appointments?date={day}", headers=staff("supervisor")).json["appointments"]
    assert {r["business_type"] for r in everyone} == {"solar_pv", "fault_report"}
    assert client.get(f"/api/appointments?date={day}", headers=device).status_code == 403
    assert client.get(f"/api/appointments?date={day}", headers=staff("guide")).status_code == 403
    assert client.get("/api/appointments?date=2026-02-30", headers=wang).status_code == 422


def test_confirmation_reminder_and_cancellation_reach_the_outbox(app, client, device, staff):
    later = next(s for s in slots(client, device) if start_of(s) > clock.now() + timedelta(hours=30))
    appt = book(client, device, later)
    assert run_messages(app, clock.now()) == 1
    sent = outbox(app)
    assert sent[-1]["to"] == "13812345678" and appt["code"] in sent[-1]["text"]
    assert start_of(later).astimezone(TZ).strftime("%Y-%m-%d %H:%M") in sent[-1]["text"]
    # the reminder comes due the day before, once however often the job runs
    assert run_messages(app, start_of(later) - timedelta(hours=25)) == 0
    assert run_messages(app, start_of(later) - timedelta(hours=23)) == 1
    assert run_messages(app, start_of(later) - timedelta(hours=22)) == 0
    assert "提醒" in outbox(app)[-1]["text"]
    cancelled = client.post(f"/api/appointments/{appt['id']}/cancel", headers=staff("guide"))
    assert cancelled.json["status"] == "cancelled"
    assert run_messages(app, start_of(later) - timedelta(hours=21)) == 1
    assert "已取消" in outbox(app)[-1]["text"]
    listed = client.get("/api/notifications", headers=staff("supervisor")).json["notifications"]
    assert [(n["kind"], n["status"], n["recipient"]) for n in listed] == [
        ("cancellation", "sent", "138****5678"), ("reminder", "sent", "138****5678"),
        ("confirmation", "sent", "138****5678")]
    assert "13812345678" not in json.dumps(listed)
    assert client.get("/api/notifications", headers=device).status_code == 403
    assert client.get("/api/notifications", headers=staff("guide")).status_code == 403


def test_english_bookings_get_english_messages(app, client, device):
    appt = book(client, device, slots(client, device)[0], language="en")
    run_messages(app, clock.now())
    text = outbox(app)[-1]["text"]
    assert appt["code"] in text and "appointment" in text and "预约" not in text


def test_check_in_window_early_late_other_day_and_no_show(app, client, device, staff):
    found = slots(client, device)
    first = found[0]
    other_day = next(s for s in found if local_day(start_of(s)) != local_day(start_of(first)))
    early, late, missed = (book(client, device, first, phone=p) for p in (
        "13800000011", "13800000012", "13800000013"))
    tomorrow = book(client, device, other_day, phone="13800000014")
    start = start_of(first)

    refused = check_in(client, device, early["code"], start - timedelta(minutes=31))
    assert refused.status_code == 409 and refused.json["error"]["code"] == "too_early"
    assert (start - timedelta(minutes=30)).astimezone(TZ).strftime("%H:%M") in refused.json["error"]["message"]
    ahead = check_in(client, device, early["code"], start - timedelta(minutes=30))
    assert ahead.status_code == 201 and ahead.json["in_window"] is True

    other = check_in(client, device, tomorrow["code"], start)
    assert other.status_code == 409 and other.json["error"]["code"] == "other_day"
    assert "不是今天" in other.json["error"]["message"]
    unknown = check_in(client, device, "ZZZZZZ", start)
    assert unknown.status_code == 404 and "没有找到" in unknown.json["error"]["message"]

    # the window closes: what was not checked in is a no-show, in the list and the KPIs
    closed = start + timedelta(minutes=16)
    run_messages(app, closed)
    day = local_day(start).isoformat()
    sup = staff("supervisor")
    statuses = {r["code"]: r["status"] for r in client.get(f"/api/appointments?date={day}", headers=sup).json[
        "appointments"]}
    assert statuses == {early["code"]: "checked_in", late["code"]: "no_show", missed["code"]: "no_show"}
    kpis = client.get(f"/api/kpis?date_from={local_day(clock.now())}&date_to={day}", headers=sup)
    assert kpis.json["appointments"]["no_show"] == 2

    # later that day the customer still gets a ticket, an ordinary one, and is told so
    walked = check_in(client, device, late["code"], closed)
    assert walked.status_code == 201 and walked.json["in_window"] is False
    assert "普通号" in walked.json["message"] and walked.json["number"] in walked.json["message"]
    # by phone: today's appointment of that number
    with clock.frozen(closed):
        by_phone = client.post("/api/appointments/check-in", json={"phone": "138 0000 0013"}, headers=device)
        neither = client.post("/api/appointments/check-in", json={}, headers=device)
    assert by_phone.status_code == 201 and by_phone.json["appointment"]["code"] == missed["code"]
    assert neither.status_code == 422


def test_served_when_the_ticket_is_done_and_the_desk_is_told(app, client, device, desk, staff):
    slot = slots(client, device)[0]
    appt = book(client, device, slot)
    wang = desk("王经理")
    ticket = check_in(client, device, appt["code"], start_of(slot)).json
    with app.extensions["sessions"]() as s:
        from kiosk.models import LiveEvent

        told = s.scalars(select(LiveEvent).where(LiveEvent.type == "appointment")).all()
        assert {e.data["status"] for e in told if e.channel.startswith("desk:")} == {"checked_in"}
    counter = staff("counter")
    with clock.frozen(start_of(slot)):
        client.patch("/api/counters/3", json={"is_open": True}, headers=counter)
        assert client.post("/api/counters/3/call-next", headers=counter).json["id"] == ticket["id"]
        for step in ("serve", "done"):
            assert client.post(f"/api/tickets/{ticket['id']}/{step}", headers=counter).status_code == 200
    day = local_day(start_of(slot)).isoformat()
    rows = client.get(f"/api/appointments?date={day}", headers=wang).json["appointments"]
    assert [r["status"] for r in rows] == ["served"]


def test_a_guides_booking_has_a_visit_like_the_kiosks(client, device, staff):
    guide = staff("guide")
    resp = client.post("/api/appointments", json={"slot_id": slots(client, device)[0]["id"],
                                                  "business_type": "solar_pv", "name": "王五",
                                                  "phone": "13812345678"}, headers=guide)
    assert resp.status_code == 201 and resp.json["visit_id"]
    sup = staff("supervisor")
    visit = client.get(f"/api/visits/{resp.json['visit_id']}", headers=sup).json
    assert visit["outcome"] == "appointment"
    booked = [e for e in visit["events"] if e["kind"] == "appointment_booked"]
    assert [(e["data"]["code"], e["data"]["by"]) for e in booked] == [(resp.json["code"], "guide0")]
    # the device's booking without a visit stays without one (the kiosk names its visit)
    other = book(client, device, slots(client, device)[1], phone="13912345678")
    assert other["visit_id"] is None


def test_a_backlog_of_no_shows_is_marked_over_the_jobs_next_passes(app, client, device, staff, monkeypatch):
    from kiosk.hall import appointments

    monkeypatch.setattr(appointments, "NO_SHOWS_PER_PASS", 1)
    first = slots(client, device)[0]
    codes = {book(client, device, first, phone=p)["code"] for p in ("13800000021", "13800000022")}
    closed = start_of(first) + timedelta(minutes=16)
    day = local_day(start_of(first)).isoformat()

    def no_shows() -> set[str]:
        listed = client.get(f"/api/appointments?date={day}", headers=staff("supervisor")).json["appointments"]
        return {r["code"] for r in listed if r["status"] == "no_show"}

    run_messages(app, closed)
    assert len(no_shows()) == 1
    run_messages(app, closed)
    assert no_shows() == codes
