"""Appointment slots, bookings with validated phones, cancellation, check-in."""
from datetime import datetime, timedelta

import pytest

from kiosk import clock


def slots(client, device, business_type="solar_pv"):
    resp = client.get(f"/api/appointments/slots?business_type={business_type}&days=10", headers=device)
    assert resp.status_code == 200, resp.json
    return resp.json["slots"]


def book(client, device, slot, phone="13812345678", name="张三", **headers):
    return client.post("/api/appointments", json={"slot_id": slot["id"], "business_type": slot["business_type"],
                                                  "name": name, "phone": phone},
                       headers={**device, **headers})


def test_slots_are_future_and_have_room(client, device):
    found = slots(client, device)
    assert found and all(s["free"] == s["capacity"] == 3 for s in found)
    assert found == sorted(found, key=lambda s: s["start"])


def test_booking_masks_the_phone_and_fills_the_slot(client, device):
    slot = slots(client, device)[0]
    resp = book(client, device, slot)
    assert resp.status_code == 201
    assert resp.json["phone"] == "138****5678" and "13812345678" not in resp.text
    for phone in ("13900000001", "13900000002"):
        assert book(client, device, slot, phone).status_code == 201
    full = book(client, device, slot, "13900000003")
    assert full.status_code == 409 and full.json["error"]["code"] == "slot_full"
    assert slot["id"] not in {s["id"] for s in slots(client, device)}


@pytest.mark.parametrize("phone", ["12345", "23812345678", "1381234567a", "138123456789", "", "DROP TABLE"])
def test_bad_phone_is_422_and_nothing_is_booked(client, device, phone):
    slot = slots(client, device)[0]
    resp = book(client, device, slot, phone)
    assert resp.status_code == 422
    assert [s for s in slots(client, device) if s["id"] == slot["id"]][0]["booked"] == 0


def test_full_width_digits_and_spaces_are_accepted(client, device):
    resp = book(client, device, slots(client, device)[0], "１３８ １２３４ ５６７８")
    assert resp.status_code == 201 and resp.json["phone_masked"] == "138****5678"


def test_same_booking_twice_is_one_booking(client, device):
    slot = slots(client, device)[0]
    first, second = book(client, device, slot), book(client, device, slot)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json["id"] == second.json["id"] and second.json["duplicate"] is True


def test_bad_names_slots_and_types(client, device):
    slot = slots(client, device)[0]
    assert book(client, device, slot, name="<script>alert(1)</script>").status_code == 422
    assert book(client, device, slot, name="张\x00三").status_code == 422
    bad = client.post("/api/appointments", json={"slot_id": 999999, "business_type": "solar_pv",
                                                 "name": "a", "phone": "13812345678"}, headers=device)
    assert bad.status_code == 422 and bad.json["error"]["code"] == "unknown_slot"
    other = slots(client, device, "capacity_change")[0]
    bad = client.post("/api/appointments", json={"slot_id": other["id"], "business_type": "solar_pv",
                                                 "name": "a", "phone": "13812345678"}, headers=device)
    assert bad.json["error"]["code"] == "slot_mismatch"
    assert client.get("/api/appointments/slots?business_type=pay_bil", headers=device).status_code == 422


def test_slot_in_the_past_is_refused(client, device, app):
    from datetime import datetime, timedelta, timezone

    from kiosk.models import AppointmentSlot

    with app.extensions["sessions"]() as s, s.begin():
        past = datetime.now(timezone.utc) - timedelta(hours=2)
        slot = AppointmentSlot(business_type="solar_pv", start=past, end=past + timedelta(hours=1),
                               capacity=3, booked=0)
        s.add(slot)
        s.flush()
        slot_id = slot.id
    resp = book(client, device, {"id": slot_id, "business_type": "solar_pv"})
    assert resp.status_code == 422 and resp.json["error"]["code"] == "slot_in_past"


def near(slot, minutes=-10):
    """The clock set `minutes` from the slot's start (this thread: the test client's requests)."""
    return clock.frozen(datetime.fromisoformat(slot["start"]) + timedelta(minutes=minutes))


def test_cancel_frees_the_place_and_check_in_makes_a_ticket(client, device, staff):
    slot = slots(client, device)[0]
    appt = book(client, device, slot).json
    # cancelling a booking is for staff: no device may (not even the development token)
    assert client.post(f"/api/appointments/{appt['id']}/cancel", headers=device).status_code == 403
    cancelled = client.post(f"/api/appointments/{appt['id']}/cancel", headers=staff("guide")).json
    assert cancelled["status"] == "cancelled" and cancelled["slot"]["booked"] == 0
    appt = book(client, device, slot, "13700000000").json
    with near(slot):
        ticket = client.post("/api/appointments/check-in", json={"code": appt["code"].lower()}, headers=device)
        assert ticket.status_code == 201 and ticket.json["queue"] == "B" and ticket.json["in_window"] is True
        assert ticket.json["number"] in ticket.json["message"]
        again = client.post("/api/appointments/check-in", json={"code": appt["code"]}, headers=device)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_checked_in"
    assert "已经签到" in again.json["error"]["message"]


def test_checked_in_appointment_is_called_before_walk_ins(client, device, staff):
    counter = staff("counter")
    slot = slots(client, device)[0]
    appt = book(client, device, slot).json
    with near(slot, -20):
        walk_in = client.post("/api/tickets", json={"business_type": "solar_pv"}, headers=device).json
        booked = client.post("/api/appointments/check-in", json={"code": appt["code"]}, headers=device).json
        client.patch("/api/counters/3", json={"is_open": True}, headers=counter)
        called = client.post("/api/counters/3/call-next", headers=counter).json
    assert called["id"] == booked["id"] != walk_in["id"]


def test_supervisor_reveal_of_phone_is_audited_guide_sees_mask(client, device, staff, app):
    appt = book(client, device, slots(client, device)[0]).json
    guide_view = client.get(f"/api/appointments/{appt['id']}?reveal=phone", headers=staff("guide")).json
    assert guide_view["phone"] == "138****5678"
    full = client.get(f"/api/appointments/{appt['id']}?reveal=phone", headers=staff("supervisor")).json
    assert full["phone"] == "13812345678"
    from kiosk.models import AuditEntry

    with app.extensions["sessions"]() as s:
        assert [e.action for e in s.query(AuditEntry).all()] == ["phone.reveal"]


def test_a_check_in_sent_twice_with_its_key_is_one_check_in(client, device):
    slot = slots(client, device)[0]
    appt = book(client, device, slot).json
    session = client.post("/api/kiosk/sessions", json={"device_id": "kiosk-2"}, headers=device).json
    key = {**device, "Idempotency-Key": "checkin-1"}
    with near(slot):
        first = client.post("/api/appointments/check-in", json={"code": appt["code"], "session_id": session["id"]},
                            headers=key)
        repeat = client.post("/api/appointments/check-in", json={"code": appt["code"], "session_id": session["id"]},
                             headers=key)
    assert first.status_code == repeat.status_code == 201 and first.json["id"] == repeat.json["id"]
    # the ticket is the kiosk's where the customer stands, on that kiosk's visit
    assert first.json["visit_id"] == session["visit_id"]
