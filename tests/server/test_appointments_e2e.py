"""The acceptance check against the real server (`python -m kiosk serve`, two workers): a slot booked
with the device token, the day's list for 王经理's desk (and 403 for the device), the confirmation
with its code among the notifications, check-in twice and with an unknown code, 14 days of slots."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from kiosk.models import AppointmentSlot
from tests.server.test_production import bearer
from tests.staff.helpers import at_url, check_in_open, make_user

TZ = ZoneInfo("Asia/Shanghai")


def test_booking_to_check_in_on_the_real_server(hall_server, db_url, tmp_path):
    url, device = hall_server.url, hall_server.device_headers
    h = at_url(db_url)
    # a slot of its own (the timetable's are on working days' hours) for which check-in is open
    start = check_in_open()
    with h.sessions() as s, s.begin():
        slot = AppointmentSlot(business_type="solar_pv", start=start, end=start + timedelta(hours=1),
                               capacity=3, booked=0, desk="大客户经理室")
        s.add(slot)
        s.flush()
        slot_id = slot.id

    booked = requests.post(f"{url}/api/appointments", json={"slot_id": slot_id, "business_type": "solar_pv",
                                                            "name": "张三", "phone": "13812345678"},
                           headers=device, timeout=10)
    assert booked.status_code == 201, booked.text
    code = booked.json()["code"]
    assert booked.json()["place"] == "大客户经理室" and booked.json()["materials"]

    wang = bearer(hall_server.create_user("wang", "--role", "backoffice", "--staff", "王经理"))
    day = start.astimezone(TZ).date().isoformat()
    listed = requests.get(f"{url}/api/appointments?date={day}", headers=wang, timeout=10)
    assert listed.status_code == 200
    row = next(r for r in listed.json()["appointments"] if r["code"] == code)
    assert (row["status"], row["phone_masked"], row["name"]) == ("booked", "138****5678", "张*")
    assert "13812345678" not in listed.text
    as_device = requests.get(f"{url}/api/appointments?date={day}", headers=device, timeout=10)
    assert as_device.status_code == 403

    sup = bearer(make_user(h, "sup", "supervisor"))
    deadline = time.monotonic() + 20
    while True:  # the server's job sends it within seconds
        notes = requests.get(f"{url}/api/notifications", headers=sup, timeout=10).json()["notifications"]
        confirmation = next(n for n in notes if n["kind"] == "confirmation" and code in n["text"])
        if confirmation["status"] == "sent" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert confirmation["status"] == "sent" and confirmation["recipient"] == "138****5678"
    assert start.astimezone(TZ).strftime("%H:%M") in confirmation["text"]
    sent = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [m["text"] for m in sent if m["to"] == "13812345678"] == [confirmation["text"]]

    first = requests.post(f"{url}/api/appointments/check-in", json={"code": code}, headers=device, timeout=10)
    assert first.status_code == 201 and first.json()["in_window"] is True and first.json()["queue"] == "B"
    second = requests.post(f"{url}/api/appointments/check-in", json={"code": code}, headers=device, timeout=10)
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_checked_in"
    unknown = requests.post(f"{url}/api/appointments/check-in", json={"code": "NOSUCH"}, headers=device,
                            timeout=10)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "appointment_not_found"
    after = requests.get(f"{url}/api/appointments?date={day}", headers=wang, timeout=10).json()
    assert next(r for r in after["appointments"] if r["code"] == code)["status"] == "checked_in"

    fortnight = requests.get(f"{url}/api/appointments/slots?business_type=solar_pv&days=14", headers=device,
                             timeout=10)
    assert fortnight.status_code == 200
    days = {datetime.fromisoformat(s["start"]).astimezone(TZ).date() for s in fortnight.json()["slots"]}
    today = datetime.now(TZ).date()
    assert max(days) >= today + timedelta(days=11) and max(days) < today + timedelta(days=14)
    assert len(days) >= 9
