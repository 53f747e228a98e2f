"""Accessibility of every staff page in Chromium: axe-core finds no serious or critical violation
(WCAG 2.1 A/AA with AA contrast, and best practices), the focus order follows the page, `lang` is set.
Each page is checked with the data it shows at work: a triage and an alert on the guide's tablet, a
called ticket at the counter and on the display, a hand-over and a call-back at a back-office desk, a
whole visit in the supervisor's review."""
from __future__ import annotations

import pytest
import requests

from tests.conftest import ONE_ENGINE
from tests.staff.conftest import login
from tests.staff.helpers import desk_account, generate_day, kiosk_triage, kiosk_turn, make_user, open_counter
from tests.support import axe

# markup, contrast and focus do not depend on the database
pytestmark = ONE_ENGINE


def _check(page, name: str, *, focusable: bool = True) -> None:
    found = axe.audit(page, f"staff-{name}")
    assert axe.blocking(found) == [], name
    assert page.get_attribute("html", "lang") in ("zh-CN", "en")
    order = axe.focus_order(page)
    assert bool(order) == focusable, name
    assert axe.out_of_order(order) == [], name
    assert axe.positive_tabindex(page) == 0
    assert not page.errors


def test_login_guide_counter_and_display_pages(server, new_page):
    h = server.db
    make_user(h, "guide1", "guide")
    make_user(h, "counter1", "counter")
    kiosk_triage(h, "invoice", "开一张发票")
    requests.post(f"{server.url}/api/guide-alerts", json={"reason": "asked_for_human"},
                  headers=server.device_headers, timeout=10).raise_for_status()
    page = new_page()
    page.goto(f"{server.url}/staff/login")
    _check(page, "login")
    page.fill("input[name=username]", "guide1")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    _check(page, "login-error")
    login(page, server, "guide1")
    page.wait_for_selector("#live[data-live='1']", timeout=10_000)
    page.wait_for_selector("li.triage")
    _check(page, "guide")
    page.goto(f"{server.url}/staff/guide?lang=en")
    page.wait_for_selector("li.triage")
    assert page.get_attribute("html", "lang") == "en"
    _check(page, "guide-en")
    page.goto(f"{server.url}/staff/review")
    _check(page, "forbidden")  # a guide may not review visits

    open_counter(h, 1, ["A"])
    counter = new_page()
    login(counter, server, "counter1")
    counter.wait_for_load_state("networkidle")
    _check(counter, "counter")
    counter.click("#call-next")
    counter.wait_for_selector("#ticket:not([hidden])")
    _check(counter, "counter-called")
    display = new_page()
    display.goto(f"{server.url}/display")
    display.wait_for_load_state("networkidle")
    _check(display, "display", focusable=False)  # a TV: nothing to operate


def test_back_office_desk_page(server, new_page):
    desk_account(server.db, "wang", "王经理")
    page = new_page()
    login(page, server, "wang")
    page.wait_for_selector("#live[data-live='1']", timeout=10_000)
    _check(page, "desk-empty")
    page.click("#presence")
    page.wait_for_selector("#presence[aria-pressed='true']", timeout=5_000)
    turn = kiosk_turn(server, "/capacity_change")
    page.wait_for_selector(f"li.handover[data-id='{turn['handover']['id']}']", timeout=5_000)
    requests.post(f"{server.url}/api/callbacks", headers=server.device_headers, timeout=5,
                  json={"business_type": "capacity_change", "name": "赵敏", "phone": "13698765432"}
                  ).raise_for_status()
    page.wait_for_selector("#callbacks li", timeout=5_000)
    _check(page, "desk")  # a hand-over card with its alarm, a call-back


def test_supervisor_review_pages(server, new_page):
    h = server.db
    generate_day(h, "2026-11-20", n=20, seed=5)
    visit = kiosk_triage(h, "pay_bill", "我来交电费")["visit_id"]
    make_user(h, "sup1", "supervisor")
    page = new_page()
    login(page, server, "sup1")
    page.goto(f"{server.url}/staff/review?date_from=2026-11-20&date_to=2026-11-20")
    page.wait_for_load_state("networkidle")
    _check(page, "review-visits")
    page.goto(f"{server.url}/staff/review/visits/{visit}")
    page.wait_for_load_state("networkidle")
    _check(page, "review-visit")
    page.goto(f"{server.url}/staff/review/kpis?date_from=2026-11-20&date_to=2026-11-20")
    page.wait_for_load_state("networkidle")
    _check(page, "review-kpis")
    page.goto(f"{server.url}/staff/review/audit")
    page.wait_for_load_state("networkidle")
    _check(page, "review-audit")
    page.goto(f"{server.url}/staff/review/staff?from=2026-11-20&to=2026-11-20")
    page.wait_for_load_state("networkidle")
    _check(page, "review-scorecards")
    page.goto(f"{server.url}/staff/review/cases")
    page.wait_for_load_state("networkidle")
    _check(page, "review-cases")
