"""The kiosk screen in headless Chromium against the real server (SQLite: see ONE_ENGINE).

The assistant is unreachable in these tests (the fixture points it at a closed
port), so the session API answers in its touch-menu mode; the whole visit with
the real assistant is in test_visit_with_assistant.py.
"""
from __future__ import annotations

import re
import time

import cv2
import numpy as np
import requests
from playwright.sync_api import expect

from tests.conftest import ONE_ENGINE
from tests.screen.conftest import SHOTS

# the screen's states and moves do not depend on the database
pytestmark = ONE_ENGINE

XSS = '<img src=x onerror="window.__xss=1;alert(1)">'


def _api(kiosk, method: str, path: str, headers=None, **kw):
    r = requests.request(method, kiosk.server.url + path, timeout=15,
                         headers=headers or kiosk.server.device_headers, **kw)
    return r


def _wake(kiosk, track: str = "1") -> int:
    visit = kiosk.approach(track)["visit_id"]
    kiosk.wait_state("greeting", 3_000)
    kiosk.wait_state("dialog")
    return visit


def _choose(kiosk, business_type: str) -> None:
    kiosk.page.click(f'#menu .choice[data-payload="/{business_type}"]')


def _shown_ticket(kiosk) -> dict:
    kiosk.wait_state("ticket")
    page = kiosk.page
    # (expect() rather than wait_for_function: the page's CSP forbids the eval the latter needs)
    expect(page.locator("#ticket-qr")).to_have_js_property("complete", True)
    expect(page.locator("#screen-ticket figure.qr")).to_be_visible()  # hidden if the image failed
    return {
        "id": int(page.get_attribute("#screen-ticket", "data-ticket-id")),
        "number": page.inner_text("#ticket-number").strip(),
        "position": page.inner_text("#ticket-position").strip(),
        "wait": page.inner_text("#ticket-wait").strip(),
        "materials": page.locator("#ticket-materials li").all_inner_texts(),
    }


def test_approach_event_wakes_the_screen_and_greets(kiosk):
    kiosk.open(greet=1.5)
    kiosk.shot("idle")
    assert kiosk.state() == "idle"
    visit = kiosk.approach("17")["visit_id"]
    kiosk.wait_state("greeting", 2_000)
    page = kiosk.page
    assert page.is_visible("#screen-greeting .avatar.bowing")
    assert page.inner_text("#screen-greeting .hello") == "您好，欢迎光临！"
    kiosk.shot("greeting")
    kiosk.wait_state("dialog")
    assert page.get_attribute("body", "data-visit-id") == str(visit)
    assert page.get_attribute("body", "data-session-id")
    assert not kiosk.errors


def test_menu_fallback_with_the_assistant_down_issues_a_ticket(kiosk):
    kiosk.open()
    visit = _wake(kiosk)
    page = kiosk.page
    assert page.get_attribute("body", "data-mode") == "menu"
    titles = page.locator("#menu .choice").all_inner_texts()
    assert "发票开具" in titles and len(titles) >= 19
    kiosk.shot("menu")
    _choose(kiosk, "invoice")
    shown = _shown_ticket(kiosk)
    assert re.fullmatch(r"A\d{3}", shown["number"])
    stored = _api(kiosk, "GET", f"/api/tickets/{shown['id']}").json()
    assert stored["number"] == shown["number"] and stored["visit_id"] == visit
    assert stored["business_type"] == "invoice" and stored["status"] == "waiting"
    # printed once, on the file printer, as ESC/POS
    page.wait_for_selector('#ticket-print[data-key="screen.ticket.printed"]')
    out = kiosk.server.printer_out.read_bytes()
    assert out.count(shown["number"].encode()) == 1 and b"\x1dV" in out  # the number, then the cut
    assert "发票开具".encode("gb18030") in out
    assert not kiosk.errors


def test_ticket_screen_shows_number_position_wait_materials_and_a_working_qr(kiosk, browser, staff):
    kiosk.open()
    first = _api(kiosk, "POST", "/api/tickets", json={"business_type": "pay_bill"}).json()
    _wake(kiosk)
    _choose(kiosk, "bill_inquiry")
    shown = _shown_ticket(kiosk)
    assert shown["number"] > first["number"]
    assert shown["position"] == "前面还有 1 位"
    assert re.fullmatch(r"预计等候 \d+ 分钟", shown["wait"])
    assert shown["materials"] and shown["materials"][0] == "户号或电费通知单"
    kiosk.shot("ticket")

    # the QR code on screen is the ticket's status link: decode it from the screenshot
    image = cv2.imdecode(np.frombuffer(kiosk.page.screenshot(), np.uint8), cv2.IMREAD_GRAYSCALE)
    url = cv2.QRCodeDetector().detectAndDecode(image)[0] or cv2.QRCodeDetectorAruco().detectAndDecode(image)[0]
    stored = _api(kiosk, "GET", f"/api/tickets/{shown['id']}").json()
    assert url == stored["status_url"] and "/t/" in url

    # the phone follows the ticket live: the counter calls the first, then ours
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                is_mobile=True, has_touch=True)
    try:
        page = phone.new_page()
        page.goto(url + "?poll=1")
        assert page.inner_text("#number") == shown["number"]
        assert page.inner_text("#headline") == "前面还有 1 位"
        page.screenshot(path=str(SHOTS / "phone-waiting.png"))
        counter = staff("counter")
        assert _api(kiosk, "PATCH", "/api/counters/1", headers=counter, json={"is_open": True}).ok
        assert _api(kiosk, "POST", "/api/counters/1/call-next", headers=counter).json()["number"] == first["number"]
        expect(page.locator("#headline")).to_have_text("马上就到您了", timeout=10_000)
        assert _api(kiosk, "POST", f"/api/tickets/{first['id']}/done", headers=counter).ok
        called = _api(kiosk, "POST", "/api/counters/1/call-next", headers=counter).json()
        assert called["number"] == shown["number"]
        page.wait_for_selector('body[data-status="called"]', timeout=10_000)
        assert page.inner_text("#headline") == "请到 1号窗口 办理"
        page.screenshot(path=str(SHOTS / "phone-called.png"))
        # and the kiosk screen, still showing the ticket, follows too
        expect(kiosk.page.locator("#ticket-position")).to_contain_text("1号窗口", timeout=10_000)
    finally:
        phone.close()
    assert requests.get(kiosk.server.url + "/t/not-a-ticket", timeout=10).status_code == 404


def test_language_switch(kiosk):
    kiosk.open()
    _wake(kiosk)
    page = kiosk.page
    assert page.get_attribute("html", "lang") == "zh-CN"
    first_session = page.get_attribute("body", "data-session-id")
    page.click('[data-set-lang="en"]')
    expect(page.locator("body")).not_to_have_attribute("data-session-id", first_session)
    page.wait_for_selector('#menu .choice[data-payload="/invoice"]')
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text('#menu .choice[data-payload="/invoice"]') == "Get an invoice"  # its short name
    assert page.get_attribute("#text", "placeholder") == "Or type what you need here"
    assert page.get_attribute('[data-set-lang="en"]', "aria-pressed") == "true"
    kiosk.shot("menu-en")
    _choose(kiosk, "invoice")
    shown = _shown_ticket(kiosk)
    assert shown["materials"][0] == "Account number"
    stored = _api(kiosk, "GET", f"/api/tickets/{shown['id']}").json()
    assert stored["language"] == "en"
    page.click('[data-set-lang="zh"]')
    expect(page.locator("#ticket-materials")).to_contain_text("户号")
    assert page.inner_text("#screen-ticket .ticket-title") == "您的排队号"


def test_customer_text_is_shown_inert(kiosk):
    kiosk.open()
    _wake(kiosk)
    page = kiosk.page
    page.fill("#text", XSS)
    page.click("#ask .send")
    page.wait_for_selector("#chat .bubble.me")
    assert page.locator("#chat .bubble.me").last.text_content() == XSS
    page.wait_for_selector("#chat .bubble.pending", state="detached")
    time.sleep(0.5)  # an injected handler would have fired by now
    assert page.locator("#chat img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert kiosk.dialogs == []
    kiosk.shot("inert-text")


def test_idle_timeout_ends_the_dialog_and_the_next_customer_starts_afresh(kiosk, staff):
    kiosk.open(idle=3)
    visit = _wake(kiosk, track="1")
    page = kiosk.page
    session = page.get_attribute("body", "data-session-id")
    page.wait_for_selector("#still-here:not([hidden])", timeout=5_000)  # "are you still there?"
    kiosk.shot("still-here")
    kiosk.wait_state("idle", 6_000)
    assert page.locator("#chat .bubble").count() == 0
    supervisor = staff("supervisor")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        kinds = [e["kind"] for e in _api(kiosk, "GET", f"/api/visits/{visit}", headers=supervisor).json()["events"]]
        if "session_end" in kinds:
            break
        time.sleep(0.2)
    assert "session_end" in kinds
    second = _wake(kiosk, track="2")
    assert second != visit
    assert page.get_attribute("body", "data-session-id") not in (None, "", session)


def test_the_agent_seeing_the_customer_leave_shortens_the_wait(kiosk):
    kiosk.open(idle=60)
    visit = _wake(kiosk, track="5")
    from datetime import datetime, timezone

    r = _api(kiosk, "POST", "/api/visits/events", json={
        "kind": "left", "device_id": "kiosk-1", "track_id": "5",
        "at": datetime.now(timezone.utc).isoformat()})
    assert r.status_code == 201 and r.json()["visit_id"] == visit
    started = time.monotonic()
    kiosk.wait_state("idle", 15_000)  # 8 s instead of 60
    assert time.monotonic() - started < 12


def test_no_rating_at_ticket_time_the_screen_thanks_and_goes_back_to_idle(kiosk, staff):
    """A ticket's service is rated after it (the counter's rating pad, the phone), not before it."""
    kiosk.open()
    visit = _wake(kiosk)
    _choose(kiosk, "invoice")
    _shown_ticket(kiosk)
    page = kiosk.page
    page.click('#screen-ticket [data-action="done"]')
    kiosk.wait_state("thanks")
    kiosk.shot("thanks")
    kiosk.wait_state("idle", 8_000)
    events = _api(kiosk, "GET", f"/api/visits/{visit}", headers=staff("supervisor")).json()["events"]
    assert [e for e in events if e["kind"] == "rating"] == []


def test_asking_for_a_person_shows_a_guide_is_coming(kiosk, staff):
    kiosk.open()
    visit = _wake(kiosk)
    kiosk.page.click('#menu .choice[data-payload="/request_human"]')
    kiosk.wait_state("guide")
    assert kiosk.page.inner_text("#screen-guide h1") == "引导员马上过来"
    kiosk.shot("guide")
    alerts = _api(kiosk, "GET", "/api/guide-alerts", headers=staff("guide")).json()
    assert any(a["visit_id"] == visit and a["reason"] == "asked_for_human" for a in alerts["alerts"])


def test_appointment_and_handover_replies_are_shown(kiosk):
    """The assistant books appointments and hands over; the screen shows what the API said."""
    page = kiosk.page
    replies = iter([
        {"mode": "assistant", "language": "zh", "messages": [{"text": "已为您预约。", "buttons": []}],
         "appointment": {"id": 3, "code": "K7Q2", "business_type": "new_connection_business",
                         "slot": {"id": 9, "start": "2026-11-30T09:00:00+08:00",
                                  "end": "2026-11-30T10:00:00+08:00"}, "phone_masked": "138****5678"}},
        {"mode": "assistant", "language": "zh", "messages": [{"text": "已联系。", "buttons": []}],
         "handover": {"id": 5, "status": "offered", "staff": {"id": 1, "name": "王经理", "desk": "大客户经理室"},
                      "lines": {"zh": "已通知大客户经理室的王经理，请在这里稍候。", "en": "王经理 has been told."}}},
    ])
    page.route(re.compile(r".*/api/kiosk/sessions/[^/]+/messages$"),
               lambda route: route.fulfill(status=200, json=next(replies)))
    kiosk.open()
    _wake(kiosk)
    page.fill("#text", "我要办理新装")
    page.click("#ask .send")
    kiosk.wait_state("appointment")
    assert page.inner_text("#appt-code") == "K7Q2"
    assert "09:00" in page.inner_text("#appt-time") and "11月30日" in page.inner_text("#appt-time")
    assert page.inner_text("#appt-phone") == "138****5678"
    assert page.inner_text("#appt-business") == "非居民及高压新装"
    kiosk.shot("appointment")
    page.click('#screen-appointment [data-action="done"]')
    kiosk.wait_state("rating")
    page.click('[data-action="skip"]')
    kiosk.wait_state("thanks")
    kiosk.wait_state("idle", 8_000)
    _wake(kiosk, track="2")
    page.fill("#text", "找王经理")
    page.click("#ask .send")
    kiosk.wait_state("handover")
    assert page.inner_text("#handover-who") == "已通知大客户经理室的王经理，请在这里稍候。"
    kiosk.shot("handover")


def test_without_the_device_token_the_page_asks_staff_to_set_it_up(browser, hall_server):
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    try:
        page = context.new_page()
        response = page.goto(f"{hall_server.url}/kiosk")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector('body[data-state="setup"]')
        page.goto(f"{hall_server.url}/kiosk#token=wrong-token")
        page.wait_for_selector('body[data-state="setup"]')  # the stream refuses it
        assert "token" not in page.url
        page.goto(f"{hall_server.url}/kiosk#token={hall_server.device_token}")
        page.wait_for_selector('body[data-state="idle"]')
        assert page.url.endswith("/kiosk")  # the token left the address bar
        page.reload()
        page.wait_for_selector('body[data-state="idle"]')  # kept for this tab only
    finally:
        context.close()
