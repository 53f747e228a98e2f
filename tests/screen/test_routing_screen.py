"""The hall's routing decision on the kiosk screen (touch menu, assistant down), in headless Chromium.

Nobody at the back office: the call-back form, its phone checked, an appointment slot
instead. Someone present: the hand-over, followed live until the desk accepts, or
passed to the call-back form when nobody takes it. Danger typed at the menu: the
emergency screen with 95598. No session service at all: the screen asks POST /api/route.
"""
from __future__ import annotations

import re
import time

import requests
from playwright.sync_api import expect

from tests.conftest import ONE_ENGINE

# the screen renders the hall's decision, tested on both engines in tests/server
pytestmark = ONE_ENGINE


def _wake(kiosk, track: str = "1") -> int:
    visit = kiosk.approach(track)["visit_id"]
    kiosk.wait_state("dialog")
    return visit


def _desk(server, name: str) -> dict[str, str]:
    """A back-office account at `name`'s desk, made by the command line, present on its desk."""
    token = server.create_user(f"desk-{abs(hash(name))}", "--role", "backoffice", "--staff", name)
    headers = {"Authorization": f"Bearer {token}"}
    r = requests.post(server.url + "/api/desk/presence", json={"available": True}, headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return headers


def test_nobody_at_the_back_office_the_call_back_form_then_an_appointment_instead(kiosk):
    kiosk.open(idle=120)
    _wake(kiosk)
    page = kiosk.page
    page.click('#menu .choice[data-payload="/solar_pv"]')
    kiosk.wait_state("callback")
    assert "回电" in page.inner_text("#callback-line")
    assert page.get_attribute("#callback-phone", "data-keypad") == "phone"
    page.fill("#callback-name", "张伟")
    page.fill("#callback-phone", "138123")
    page.click('#callback-form button[type="submit"]')
    expect(page.locator("#callback-error")).to_have_text("手机号好像不对，请输入 11 位手机号")
    page.fill("#callback-phone", "13812345678")
    page.click('#callback-form button[type="submit"]')
    expect(page.locator("#callback-taken")).to_contain_text("138****5678")
    kiosk.shot("callback-taken")
    page.click("#callback-book-after")
    first_slot = page.locator("#callback-slots .choice").first
    expect(first_slot).to_be_visible()
    first_slot.click()
    kiosk.wait_state("appointment")
    assert page.inner_text("#appt-phone") == "138****5678"
    # the customer's copy: where to go, the QR of the booking's own page, the slip printed once
    expect(page.locator("#appt-place")).to_have_text("大客户经理室")
    expect(page.locator("#screen-appointment figure.qr")).to_be_visible()
    code = page.inner_text("#appt-code")
    expect(page.locator("#appt-qr")).to_have_attribute("src", re.compile(r"^/a/[^/]+/qr\.svg$"))
    deadline = time.monotonic() + 10
    while code.encode("gb18030") not in (kiosk.server.printer_out.read_bytes()
                                         if kiosk.server.printer_out.exists() else b""):
        assert time.monotonic() < deadline, "the slip was not printed"
        time.sleep(0.2)
    assert "预约凭条".encode("gb18030") in kiosk.server.printer_out.read_bytes()
    assert not kiosk.errors


def test_a_hand_over_is_followed_live_until_the_desk_accepts(kiosk):
    desk = _desk(kiosk.server, "王经理")
    kiosk.open(idle=120)
    _wake(kiosk)
    page = kiosk.page
    page.click('#menu .choice[data-payload="/capacity_change"]')
    kiosk.wait_state("handover")
    expect(page.locator("#handover-who")).to_have_text("已通知大客户经理室的王经理，请在这里稍候，对方确认后屏幕上会告诉您。")
    expect(page.locator("#screen-handover figure.qr")).to_be_visible()
    handover = requests.get(kiosk.server.url + "/api/desk/handovers", headers=desk, timeout=10).json()["handovers"][0]
    r = requests.post(f"{kiosk.server.url}/api/handovers/{handover['id']}/accept", json={"meet": "kiosk"},
                      headers=desk, timeout=10)
    assert r.status_code == 200, r.text
    expect(page.locator("#handover-who")).to_have_text("王经理（大客户经理室）已确认，马上过来接您，请在这里稍候。",
                                                       timeout=10_000)
    kiosk.shot("handover-accepted")


def test_a_hand_over_nobody_takes_brings_the_call_back_form(kiosk):
    desk = _desk(kiosk.server, "抢修调度")
    kiosk.open(idle=120)
    _wake(kiosk)
    page = kiosk.page
    page.click('#menu .choice[data-payload="/fault_report"]')
    kiosk.wait_state("handover")
    handover = requests.get(kiosk.server.url + "/api/desk/handovers", headers=desk, timeout=10).json()["handovers"][0]
    r = requests.post(f"{kiosk.server.url}/api/handovers/{handover['id']}/decline", headers=desk, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "unanswered", r.text
    kiosk.wait_state("callback", 10_000)
    assert "回电" in page.inner_text("#callback-line")


def test_danger_typed_at_the_menu_shows_the_emergency_line(kiosk):
    kiosk.open(idle=120)
    _wake(kiosk)
    page = kiosk.page
    page.fill("#text", "门口电线掉下来了，在冒火花")
    page.click("#ask .send")
    kiosk.wait_state("emergency")
    assert page.inner_text("#emergency-line") == "95598"
    assert "不要触碰" in page.inner_text("#emergency-text")
    kiosk.shot("emergency")


def test_without_the_session_service_the_screen_asks_the_routing_decision(kiosk):
    page = kiosk.page
    page.route("**/api/kiosk/sessions", lambda route: route.fulfill(status=503, json={}))
    kiosk.open(idle=120)
    _wake(kiosk)
    page.click('#menu .choice[data-payload="/pay_bill"]')
    # self-service first, from the hall's decision; the ticket only when still wanted
    expect(page.locator('#menu .choice[data-payload="/ticket:pay_bill"]')).to_be_visible()
    assert kiosk.state() == "dialog"
    page.click('#menu .choice[data-payload="/ticket:pay_bill"]')
    kiosk.wait_state("ticket")
    assert page.inner_text("#ticket-number").startswith("A")
