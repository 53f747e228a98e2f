"""The kiosk for every customer, in headless Chromium against the real server (SQLite: see ONE_ENGINE):
the language they pick, no typing needed (every business type by taps, the digit pad), the camera
notice, the elderly mode. The assistant is down here (menu mode) unless a test stands in for its
answers with page.route; test_visit_with_assistant.py does the same with the real assistant.
"""
from __future__ import annotations

import re

import cv2
import numpy as np
import requests
from playwright.sync_api import expect

from tests.conftest import ONE_ENGINE
from tests.staff.helpers import at_url, booking_at, check_in_open

# languages, taps, the pads and the elderly mode do not depend on the database
pytestmark = ONE_ENGINE

CJK = re.compile(r"[\u3400-\u9fff]")


def _types(kiosk) -> dict:
    return requests.get(kiosk.server.url + "/api/business-types", timeout=10).json()


def _first_bot_message(kiosk) -> str:
    kiosk.wait_state("dialog")
    first = kiosk.page.locator("#chat .bubble.bot").first
    expect(first).not_to_be_empty()
    return first.inner_text()


def _tap(page, keys: str) -> None:
    """Keys of the on-screen pad, one tap each."""
    for key in keys:
        page.click(f'#keypad .key[data-key="{key}"]')


def _touch(kiosk) -> None:
    """A finger on the screen, away from any button (the avatar, or the conversation)."""
    kiosk.page.mouse.click(540, 620)


def test_english_tapped_on_the_welcome_screen_then_a_touch_gives_an_english_dialog(kiosk, staff):
    """The issue's tap sequence: English on the welcome screen, then a touch."""
    kiosk.open()
    page = kiosk.page
    page.click('[data-set-lang="en"]')   # the welcome screen: this tap also wakes it
    _touch(kiosk)
    text = _first_bot_message(kiosk)
    assert text and not CJK.search(text), text
    assert page.get_attribute("html", "lang") == "en"
    session = page.get_attribute("body", "data-session-id")
    visit = int(page.get_attribute("body", "data-visit-id"))
    r = requests.get(f"{kiosk.server.url}/api/visits/{visit}", timeout=10, headers=staff("supervisor"))
    starts = [e["data"] for e in r.json()["events"] if e["kind"] == "session_start"]
    assert starts == [{"session_id": session, "language": "en"}]  # one session, opened in English
    assert page.inner_text('#menu .choice[data-payload="/pay_bill"]') == "Pay a bill"
    assert not kiosk.errors


def test_english_picked_while_the_greeting_plays_is_the_dialogs_language(kiosk):
    kiosk.open(greet=3)
    kiosk.approach("41")
    kiosk.wait_state("greeting", 3_000)
    kiosk.page.click('[data-set-lang="en"]')
    text = _first_bot_message(kiosk)
    assert not CJK.search(text), text
    assert kiosk.page.inner_text("#screen-dialog .menu-heading >> nth=0") == "Bills and enquiries"


def test_the_camera_notice_is_on_the_welcome_and_greeting_screens_in_both_languages(kiosk):
    kiosk.open(greet=4)
    page = kiosk.page
    notice = page.locator("#screen-idle .camera-notice")
    expect(notice).to_be_visible()
    zh = notice.locator('p.notice-body[lang="zh-CN"]').inner_text()
    en = notice.locator('p.notice-body[lang="en"]').inner_text()
    assert "监控" in zh and "不进行人脸识别" in zh and "保存 7 天" in zh  # KIOSK_SNAPSHOT_DAYS' default
    assert "camera" in en and "not recognised" in en and "kept for 7 days" in en
    kiosk.shot("idle-camera-notice")
    # the QR code on the notice opens the full privacy notice
    qr = notice.locator(".notice-qr")
    qr.evaluate("img => img.decode()")  # drawn, not only laid out: a blank box reads as no code (seen in CI)
    box = qr.bounding_box()
    image = cv2.imdecode(np.frombuffer(page.screenshot(clip=box), np.uint8), cv2.IMREAD_GRAYSCALE)
    image = cv2.resize(image, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
    url = cv2.QRCodeDetector().detectAndDecode(image)[0]
    assert url == f"{kiosk.server.url}/privacy"
    full = requests.get(url, timeout=10)
    assert full.status_code == 200 and "人脸" in full.text and "7 天" in full.text
    assert "Faces are not recognised" in requests.get(url + "?lang=en", timeout=10).text
    kiosk.approach("42")
    kiosk.wait_state("greeting", 3_000)
    expect(page.locator("#screen-greeting .camera-notice")).to_be_visible()
    assert "监控" in page.inner_text("#screen-greeting .camera-notice")
    kiosk.shot("greeting-camera-notice")


def test_every_business_type_is_a_button_within_two_taps_of_the_dialogs_buttons(kiosk):
    sent = kiosk.answer_as_assistant(
        [{"mode": "assistant", "language": "zh", "messages": [{"text": "好的。", "buttons": []}]}])
    kiosk.open()
    kiosk.approach("43")
    kiosk.wait_state("dialog")
    page = kiosk.page
    names = {bt["zh"] for bt in _types(kiosk)["business_types"]}
    assert len(names) == 19
    page.click("#more-open")                                     # one tap: all of them, grouped
    seen = set(page.locator("#more-list .choice").all_inner_texts())
    assert names <= seen
    headings = page.locator("#more-list .menu-heading").all_inner_texts()
    assert headings == ["缴费查询", "办电", "变更", "故障与投诉", "其他"]
    kiosk.shot("more-flat")
    page.click('#more-list .choice[data-payload="/solar_pv"]')   # choosing one sends it, as a tap
    expect(page.locator("#chat .bubble.me").last).to_have_text("分布式光伏并网")
    expect(page.locator("#chat .bubble.bot").last).to_have_text("好的。")  # the answer: the request went out
    assert sent == [{"payload": "/solar_pv"}]
    assert page.is_hidden("#more")


def test_the_elderly_mode_groups_first_then_types_larger_text_fewer_choices(kiosk):
    kiosk.answer_as_assistant([])
    kiosk.open()
    kiosk.approach("44")
    kiosk.wait_state("dialog")
    page = kiosk.page
    normal = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert page.locator("#chat .choices .choice").count() == 7
    page.click("#elderly")
    assert page.get_attribute("#elderly", "aria-pressed") == "true"
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") > normal * 1.15
    titles = page.locator("#chat .choices .choice").all_inner_texts()
    assert titles == ["交电费", "查电费", "开发票", "找工作人员"]       # fewer at once; the rest under 更多业务
    assert page.get_attribute("#read-aloud", "aria-pressed") == "true" and page.is_disabled("#read-aloud")
    page.click("#more-open")
    groups = page.locator("#more-list .choice.group")
    assert groups.all_inner_texts() == ["缴费查询", "办电", "变更", "故障与投诉", "其他"]
    body = _types(kiosk)
    names = {bt["id"]: bt["zh"] for bt in body["business_types"]}
    seen = set()
    for group in body["groups"]:                                  # the second tap shows one group
        page.click(f'#more-list .choice.group[data-group="{group["id"]}"]')
        shown = page.locator("#more-list .choice[data-payload]").all_inner_texts()
        assert shown == [names[t] for t in group["types"]] and len(shown) <= 5
        seen.update(shown)
        page.click("#more-list .choice.back")
    assert seen == set(names.values())
    kiosk.shot("elderly-more")
    page.click("[data-close-panel] >> nth=0")
    kiosk.shot("elderly-dialog")


def test_the_digit_pad_comes_up_when_a_phone_number_is_asked_for_and_typing_still_works(kiosk):
    sent = kiosk.answer_as_assistant([
        {"mode": "assistant", "language": "zh", "form": {"name": "appointment_form", "requested_slot": "phone"},
         "messages": [{"text": "请输入您的手机号，方便工作人员联系您。", "buttons": []}]},
        {"mode": "assistant", "language": "zh", "messages": [{"text": "请选择一个方便的时间：", "buttons": []}]},
    ])
    kiosk.open()
    kiosk.approach("45")
    kiosk.wait_state("dialog")
    page = kiosk.page
    assert page.is_hidden("#keypad")
    kiosk.send("张伟")
    expect(page.locator("#keypad")).to_be_visible()
    assert page.get_attribute("#keypad", "data-kind") == "phone" and page.is_hidden("#keypad .letters")
    _tap(page, "1381234")
    page.click('#keypad .key[data-key="delete"]')
    page.focus("#text")                                             # typing stays
    page.keyboard.press("End")
    page.keyboard.type("45678")
    assert page.input_value("#text") == "13812345678"
    page.click('#keypad .key[data-key="9"]')                       # no twelfth digit in a phone number
    assert page.input_value("#text") == "13812345678"
    kiosk.shot("keypad-phone")
    page.click('#keypad .key[data-key="ok"]')
    expect(page.locator("#keypad")).to_be_hidden()                 # the next question asks no number
    assert sent[-1] == {"text": "13812345678"}


def test_an_appointment_code_entered_on_the_pad_checks_in_and_gives_a_ticket(kiosk, staff, db_url):
    server = kiosk.server
    booked = booking_at(server, at_url(db_url), check_in_open(), "13812345678", "solar_pv")
    kiosk.open()
    _touch(kiosk)
    kiosk.wait_state("dialog")
    page = kiosk.page
    page.click("#checkin-open")
    expect(page.locator("#keypad")).to_be_visible()
    assert page.get_attribute("#keypad", "data-kind") == "code" and page.is_visible("#keypad .letters")
    _tap(page, "ZZZZ")
    page.click('#keypad .key[data-key="ok"]')
    expect(page.locator("#checkin-error")).to_have_text(re.compile("没有找到这个预约"))  # as the hall words it
    page.click('#keypad .key[data-key="clear"]')
    _tap(page, booked["code"])
    kiosk.shot("keypad-code")
    page.click("#checkin-form .send")
    kiosk.wait_state("ticket")
    stored = requests.get(f"{server.url}/api/appointments/{booked['id']}", headers=staff("guide"),
                          timeout=10).json()
    assert stored["status"] == "checked_in" and stored["ticket_id"] == int(
        page.get_attribute("#screen-ticket", "data-ticket-id"))
    assert page.inner_text("#ticket-number").strip().startswith("B")
