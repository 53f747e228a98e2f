"""Accessibility of every kiosk screen and the customer's mobile pages, checked in Chromium.

axe-core (WCAG 2.1 A/AA, AA contrast among them, and best practices) must find
no serious or critical violation; on the kiosk, every button and field is at
least 48 × 48 px, the focus order follows the page from top to bottom, and
`lang` says the language shown (zh-CN / en), English bits on a Chinese screen
included. The contexts ask for reduced motion, so that no check lands in the
middle of an animation.
"""
from __future__ import annotations

import re

import pytest
import requests

from tests.conftest import ONE_ENGINE
from tests.screen.conftest import PORTRAIT, KioskPage
from tests.support import axe

# markup, contrast and focus do not depend on the database
pytestmark = ONE_ENGINE


@pytest.fixture
def a11y_kiosk(browser, hall_server):
    context = browser.new_context(viewport=PORTRAIT, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  reduced_motion="reduce")
    yield KioskPage(context.new_page(), hall_server, "kiosk-1")
    context.close()


@pytest.fixture
def phone(browser, hall_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, reduced_motion="reduce")
    yield context.new_page()
    context.close()


def _check(kiosk: KioskPage, name: str, lang: str = "zh", *, focus: bool = False) -> None:
    page = kiosk.page
    found = axe.audit(page, f"kiosk-{name}")
    assert axe.blocking(found) == [], name
    assert axe.small_targets(page) == [], name
    assert page.get_attribute("html", "lang") == ("zh-CN" if lang == "zh" else "en")
    # the other language's bits say which language they are in
    assert page.get_attribute('[data-set-lang="en"]', "lang") == "en"
    assert page.get_attribute('[data-set-lang="zh"]', "lang") == "zh-CN"
    if focus:
        order = axe.focus_order(page)
        assert len(order) >= 3, order
        assert axe.out_of_order(order) == [], name
    assert axe.positive_tabindex(page) == 0
    assert not kiosk.errors


def test_setup_idle_and_greeting_screens(a11y_kiosk):
    kiosk, page = a11y_kiosk, a11y_kiosk.page
    page.goto(f"{kiosk.server.url}/kiosk")
    page.wait_for_selector('body[data-state="setup"]')
    _check(kiosk, "setup")
    kiosk.open(greet=10)
    _check(kiosk, "idle", focus=True)
    for notice in page.locator("#screen-idle .camera-notice .notice-body").all():
        assert notice.get_attribute("lang") in ("zh-CN", "en")
    kiosk.approach("71")
    kiosk.wait_state("greeting", 3_000)
    _check(kiosk, "greeting")


def test_dialog_more_elderly_and_the_digit_pads(a11y_kiosk):
    kiosk, page = a11y_kiosk, a11y_kiosk.page
    kiosk.answer_as_assistant([
        {"mode": "assistant", "language": "zh", "form": {"name": "appointment_form", "requested_slot": "phone"},
         "messages": [{"text": "请输入您的手机号，方便工作人员联系您。", "buttons": []}]},
    ])
    kiosk.open()
    kiosk.approach("72")
    kiosk.wait_state("dialog")
    _check(kiosk, "dialog", focus=True)
    page.click("#more-open")
    _check(kiosk, "more", focus=True)
    page.click("[data-close-panel] >> nth=0")
    page.click("#elderly")
    _check(kiosk, "dialog-elderly", focus=True)
    page.click("#more-open")
    page.click("#more-list .choice.group >> nth=1")
    _check(kiosk, "more-elderly-group")
    page.click("[data-close-panel] >> nth=0")
    page.click("#elderly")
    kiosk.send("张伟")
    page.wait_for_selector("#keypad:not([hidden])")
    _check(kiosk, "keypad-phone", focus=True)
    page.click("#checkin-open")
    page.wait_for_selector('#keypad[data-kind="code"]')
    _check(kiosk, "checkin-code", focus=True)
    page.click('[data-set-lang="en"]')
    _check(kiosk, "checkin-code-en", lang="en")


def test_menu_ticket_thanks_guide_and_rating_screens_in_both_languages(a11y_kiosk):
    kiosk, page = a11y_kiosk, a11y_kiosk.page
    kiosk.open()
    kiosk.approach("73")
    kiosk.wait_state("dialog")
    _check(kiosk, "menu", focus=True)
    page.click('[data-set-lang="en"]')
    page.wait_for_selector('#menu .choice[data-payload="/invoice"]:text-is("Get an invoice")')
    _check(kiosk, "menu-en", lang="en")
    page.click('#menu .choice[data-payload="/invoice"]')  # a counter business: the hall issues a ticket
    kiosk.wait_state("ticket")
    page.wait_for_selector("#ticket-print:not(:empty)")
    _check(kiosk, "ticket-en", lang="en", focus=True)
    page.click('[data-set-lang="zh"]')
    _check(kiosk, "ticket")
    page.click('#screen-ticket [data-action="done"]')  # a ticket is rated after its service, not here
    kiosk.wait_state("thanks")
    _check(kiosk, "thanks")
    kiosk.wait_state("idle", 8_000)
    kiosk.approach("74")
    kiosk.wait_state("dialog")
    page.click('#menu .choice[data-payload="/request_human"]')
    kiosk.wait_state("guide")
    _check(kiosk, "guide")
    page.click('#screen-guide [data-action="done"]')
    kiosk.wait_state("rating")
    _check(kiosk, "rating", focus=True)
    page.click('[data-rating="5"]')
    kiosk.wait_state("thanks")


def test_appointment_and_handover_screens(a11y_kiosk):
    kiosk, page = a11y_kiosk, a11y_kiosk.page
    kiosk.answer_as_assistant([
        {"mode": "assistant", "language": "zh", "messages": [{"text": "已为您预约。", "buttons": []}],
         "appointment": {"id": 3, "code": "K7Q2MX", "business_type": "new_connection_business",
                         "slot": {"id": 9, "start": "2026-11-30T09:00:00+08:00", "end": "2026-11-30T10:00:00+08:00"},
                         "phone_masked": "138****5678"}},
        {"mode": "assistant", "language": "zh", "messages": [{"text": "已联系。", "buttons": []}],
         "handover": {"id": 5, "staff": {"id": 1, "name": "王经理", "desk": "大客户经理室"}}},
    ])
    kiosk.open()
    kiosk.approach("75")
    kiosk.wait_state("dialog")
    kiosk.send("我要办理新装")
    kiosk.wait_state("appointment")
    _check(kiosk, "appointment", focus=True)
    page.click('#screen-appointment [data-action="done"]')
    page.click('[data-action="skip"]')
    kiosk.wait_state("idle", 8_000)
    kiosk.approach("76")
    kiosk.wait_state("dialog")
    kiosk.send("找王经理")
    kiosk.wait_state("handover")
    _check(kiosk, "handover")


def test_call_back_form_and_its_digit_pad(a11y_kiosk):
    kiosk, page = a11y_kiosk, a11y_kiosk.page
    kiosk.open(idle=120)
    kiosk.approach("77")
    kiosk.wait_state("dialog")
    page.click('#menu .choice[data-payload="/solar_pv"]')  # nobody at the back office: the form
    kiosk.wait_state("callback")
    _check(kiosk, "callback", focus=True)
    page.click("#callback-phone")
    page.wait_for_selector('#keypad[data-kind="phone"]:not([hidden])')
    _check(kiosk, "callback-keypad", focus=True)


def test_emergency_screen(a11y_kiosk):
    kiosk, page = a11y_kiosk, a11y_kiosk.page
    kiosk.open(idle=120)
    kiosk.approach("78")
    kiosk.wait_state("dialog")
    page.fill("#text", "门口电线掉下来了，在冒火花")
    page.click("#ask .send")
    kiosk.wait_state("emergency")
    _check(kiosk, "emergency")


def _check_phone(page, name: str, lang: str) -> None:
    found = axe.audit(page, name)
    assert axe.blocking(found) == [], name
    assert page.get_attribute("html", "lang") == ("zh-CN" if lang == "zh" else "en")
    assert axe.out_of_order(axe.focus_order(page)) == [], name
    assert axe.positive_tabindex(page) == 0


def test_the_mobile_status_page_and_the_privacy_notice(phone, hall_server):
    server = hall_server
    ticket = requests.post(f"{server.url}/api/tickets", json={"business_type": "invoice"},
                           headers=server.device_headers, timeout=10).json()
    for lang in ("zh", "en"):
        phone.goto(f"{ticket['status_url']}?lang={lang}")
        phone.wait_for_selector("#updated:not(:empty)")
        _check_phone(phone, f"status-{lang}", lang)
        phone.goto(f"{server.url}/privacy?lang={lang}")
        _check_phone(phone, f"privacy-{lang}", lang)
        assert re.search(r"7 (天|days)", phone.inner_text("main"))
    phone.goto(f"{server.url}/t/not-a-ticket")
    _check_phone(phone, "status-missing", "zh")
