"""The customer's copy of a booking: the ESC/POS slip (code, time, place, materials, QR) and the
mobile page its QR code opens, where the customer sees the booking and cancels it (the place is freed)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from kiosk.models import Notification


@pytest.fixture(autouse=True)
def jobs_by_the_test(app):
    from kiosk.web import maintenance

    maintenance.stop(app)


def slots(client, device):
    return client.get("/api/appointments/slots?business_type=solar_pv&days=14", headers=device).json["slots"]


def book(client, device, slot, **extra):
    resp = client.post("/api/appointments", json={"slot_id": slot["id"], "business_type": "solar_pv",
                                                  "name": "张三", "phone": "13812345678", **extra}, headers=device)
    assert resp.status_code == 201, resp.json
    return resp.json


def test_the_slip_has_the_code_time_place_and_qr_and_prints_once(app, client, device, tmp_path):
    out = tmp_path / "printer.out"
    app.extensions["settings"].printer = f"file:{out}"
    session = client.post("/api/kiosk/sessions", json={"device_id": "kiosk-1"}, headers=device).json
    slot = slots(client, device)[0]
    appt = book(client, device, slot, session_id=session["id"])
    assert appt["place"] == "大客户经理室" and appt["materials"] and urlsplit(appt["status_url"]).path.startswith("/a/")
    printed = client.post(f"/api/kiosk/appointments/{appt['id']}/print", headers=device)
    assert printed.status_code == 201
    slip = out.read_bytes()
    for text in (appt["code"], "大客户经理室", appt["materials"][0], "预约凭条"):
        assert text.encode("gb18030") in slip
    assert urlsplit(appt["status_url"]).path.encode() in slip  # the QR code's data
    again = client.post(f"/api/kiosk/appointments/{appt['id']}/print", headers=device)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_printed"
    # a booking made without the kiosk's visit is not the kiosk's to print
    other = book(client, device, slots(client, device)[1])
    refused = client.post(f"/api/kiosk/appointments/{other['id']}/print", headers=device)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "out_of_scope"


def test_the_customers_page_shows_the_booking_and_cancels_it(app, client, device):
    slot = slots(client, device)[0]
    appt = book(client, device, slot)
    page_path = urlsplit(appt["status_url"]).path
    page = client.get(page_path)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    html = page.get_data(as_text=True)
    assert appt["code"] in html and "大客户经理室" in html and "取消预约" in html and appt["materials"][0] in html
    qr = client.get(f"{page_path}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    english = client.get(f"{page_path}?lang=en").get_data(as_text=True)
    assert "Cancel the appointment" in english

    cancelled = client.post(f"{page_path}/cancel")
    assert cancelled.status_code == 303
    after = client.get(cancelled.headers["Location"]).get_data(as_text=True)
    assert "预约已取消" in after and "取消预约</button>" not in after
    assert next(s for s in slots(client, device) if s["id"] == slot["id"])["booked"] == 0
    with app.extensions["sessions"]() as s:
        assert [n.kind for n in s.query(Notification).order_by(Notification.id)] == ["confirmation", "cancellation"]
    # cancelling again changes nothing; a forged link finds nothing
    assert client.post(f"{page_path}/cancel").status_code == 303
    assert client.get("/a/forged-token").status_code == 404
    assert client.post("/a/forged-token/cancel").status_code == 404
