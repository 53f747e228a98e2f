"""A whole visit with the real assistant: approach → greeting → dialog → ticket on screen and stored.

Needs .venv-rasa and a model trained on the current inputs (`make rasa-train`);
the fixtures start the Rasa server (once) and the action server (per test,
calling this test's hall server back). Without them the test is skipped with
the reason, or fails under ASSISTANT_TESTS_REQUIRED=1.
"""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import ONE_ENGINE
from tests.screen.conftest import PORTRAIT, KioskPage


@pytest.fixture
def assistant_kiosk(browser, assistant_hall):
    context = browser.new_context(viewport=PORTRAIT, locale="zh-CN", timezone_id="Asia/Shanghai")
    yield KioskPage(context.new_page(), assistant_hall, "kiosk-1")
    context.close()


def test_whole_visit_with_the_real_assistant(assistant_kiosk):
    kiosk = assistant_kiosk
    page = kiosk.page
    kiosk.open(idle=120)
    visit = kiosk.approach("31")["visit_id"]
    kiosk.wait_state("greeting", 2_000)
    kiosk.wait_state("dialog", 60_000)
    assert page.get_attribute("body", "data-mode") == "assistant"
    assert page.locator("#chat .bubble.bot").count() >= 1
    # the assistant offers the common businesses as buttons
    expect(page.locator('#chat .choice[data-payload="/invoice"]')).to_be_visible()
    kiosk.shot("assistant-greeting")

    # the customer types; the assistant names the business and asks to confirm
    page.fill("#text", "房子卖了电表过户")
    page.click("#ask .send")
    page.wait_for_selector("#chat .bubble.pending", state="detached", timeout=60_000)
    kiosk.shot("assistant-confirm")
    assert kiosk.state() == "dialog"
    page.fill("#text", "对")
    page.click("#ask .send")
    kiosk.wait_state("ticket", 60_000)
    number = page.inner_text("#ticket-number").strip()
    assert re.fullmatch(r"C\d{3}", number), number
    expect(page.locator("#screen-ticket figure.qr")).to_be_visible()
    kiosk.shot("assistant-ticket")

    ticket_id = int(page.get_attribute("#screen-ticket", "data-ticket-id"))
    stored = requests.get(f"{kiosk.server.url}/api/tickets/{ticket_id}",
                          headers=kiosk.server.device_headers, timeout=10).json()
    assert stored["number"] == number and stored["business_type"] == "name_transfer"
    assert stored["visit_id"] == visit
    assert not kiosk.errors


CJK = re.compile(r"[\u3400-\u9fff]")


# the language and the buttons the screen shows do not depend on the database (the whole visit and the
# booking under 更多业务 run on both)
@ONE_ENGINE
def test_english_tapped_on_the_welcome_screen_is_the_language_of_the_real_dialog(assistant_kiosk):
    """Acceptance: tap English, then touch the screen: the first bot message has no Chinese character."""
    kiosk = assistant_kiosk
    page = kiosk.page
    kiosk.open(idle=120)
    page.click('[data-set-lang="en"]')
    page.mouse.click(540, 620)
    kiosk.wait_state("dialog", 60_000)
    assert page.get_attribute("body", "data-mode") == "assistant"
    first = page.locator("#chat .bubble.bot").first.inner_text()
    assert first and not CJK.search(first), first
    kiosk.shot("assistant-english")
    page.fill("#text", "I want to pay my electricity bill")
    page.click("#ask .send")
    page.wait_for_selector("#chat .bubble.pending", state="detached", timeout=60_000)
    said = page.locator("#chat .bubble.bot").all_inner_texts()
    assert len(said) >= 2 and not any(CJK.search(t) for t in said), said
    assert said[-1] == "You'd like to pay a bill, is that right?"
    assert page.locator("#chat .choices").last.locator(".choice").all_inner_texts() == ["Yes", "No"]


@ONE_ENGINE
@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_every_business_type_is_a_button_within_two_taps_of_the_real_dialogs_buttons(assistant_kiosk, elderly):
    """Acceptance: from the assistant's first buttons, at most two taps show every business type's Chinese name."""
    kiosk = assistant_kiosk
    page = kiosk.page
    kiosk.open(idle=120, elderly=int(elderly))
    kiosk.approach("61")
    kiosk.wait_state("dialog", 60_000)
    assert page.get_attribute("body", "data-mode") == "assistant"
    names = {bt["zh"] for bt in requests.get(kiosk.server.url + "/api/business-types", timeout=10)
             .json()["business_types"]}
    seen = set(page.locator("#screen-dialog .choice:visible").all_inner_texts())   # no tap
    page.click("#more-open")                                                        # tap 1
    seen |= set(page.locator("#more-list .choice:visible").all_inner_texts())
    for group in page.locator("#more-list .choice.group").all_inner_texts():        # tap 2 (elderly)
        page.click(f'#more-list .choice.group:text-is("{group}")')
        seen |= set(page.locator("#more-list .choice:visible").all_inner_texts())
        page.click("#more-list .choice.back")
    assert names <= seen, names - seen
    assert page.locator("#more-list .choice.group").count() == (5 if elderly else 0)


def test_a_business_chosen_under_more_goes_to_the_real_assistant_and_its_phone_question_brings_the_pad(
        assistant_kiosk):
    """更多业务 → 办电 → 分布式光伏并网 (nobody on duty: the appointment form); the phone on the digit pad."""
    kiosk = assistant_kiosk
    page = kiosk.page
    kiosk.open(idle=120, elderly=1)
    kiosk.approach("62")
    kiosk.wait_state("dialog", 60_000)
    page.click("#more-open")
    page.click('#more-list .choice.group[data-group="connections"]')
    page.click('#more-list .choice[data-payload="/solar_pv"]')
    expect(page.locator("#chat .bubble.me").last).to_have_text("分布式光伏并网")
    page.wait_for_selector("#chat .bubble.pending", state="detached", timeout=60_000)
    assert page.is_hidden("#keypad")                      # the name comes first: no pad for it
    kiosk.send("张伟")
    expect(page.locator("#keypad")).to_be_visible(timeout=60_000)
    assert page.get_attribute("#text", "data-keypad") == "phone"
    for key in "13812345678":
        page.click(f'#keypad .key[data-key="{key}"]')
    kiosk.shot("assistant-keypad")
    page.click('#keypad .key[data-key="ok"]')
    page.wait_for_selector("#chat .bubble.pending", state="detached", timeout=60_000)
    expect(page.locator("#keypad")).to_be_hidden()        # the next question is a time slot
    assert page.locator("#chat .bubble.me").last.inner_text() == "13812345678"
    assert page.locator("#chat .choices").last.locator(".choice").count() >= 1
