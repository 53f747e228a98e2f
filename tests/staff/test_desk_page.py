"""The back-office desk page in Chromium: presence, a hand-over arriving live with a sound, accepted,
declined, the customer not found; the department's call-backs, their numbers masked until asked for;
today's and tomorrow's appointments, updated live at check-in."""
from __future__ import annotations

from datetime import timedelta

import requests

from tests.conftest import ONE_ENGINE
from tests.staff.conftest import count_beeps, login
from tests.staff.helpers import booking_at, check_in_open, desk_account, kiosk_turn, make_user

# the desk page's moves do not depend on the database
pytestmark = ONE_ENGINE


def test_a_hand_over_arrives_live_and_is_accepted(server, new_page):
    h = server.db
    desk_account(h, "wang", "王经理")
    page = new_page()
    login(page, server, "wang")
    assert page.url.endswith("/staff/desk")
    page.wait_for_selector("#live[data-live='1']", timeout=10_000)
    count_beeps(page)
    assert page.get_attribute("#presence", "aria-pressed") == "false"
    # nobody present: the kiosk's customer gets the call-back path, no card here
    assert kiosk_turn(server, "/capacity_change")["decision"]["outcome"] == "callback"
    page.click("#presence")
    page.wait_for_selector("#presence[aria-pressed='true']", timeout=5_000)

    turn = kiosk_turn(server, "/capacity_change")
    card = page.wait_for_selector(f"li.handover[data-id='{turn['handover']['id']}']", timeout=5_000)
    page.wait_for_selector("#alarm:not([hidden])", timeout=5_000)
    assert page.evaluate("window.__beeps") >= 1
    assert card.query_selector(".type").inner_text() == "增容减容暂停"
    card.query_selector("button.accept[data-meet='kiosk']").click()
    page.wait_for_selector(f"li.handover[data-id='{turn['handover']['id']}'][data-status='accepted']", timeout=5_000)
    sup = {"Authorization": f"Bearer {make_user(h, 'sup1', 'supervisor')}"}
    events = requests.get(f"{server.url}/api/visits/{turn['handover']['visit_id']}", headers=sup,
                          timeout=5).json()["events"]
    assert [e["data"]["by"] for e in events if e["kind"] == "handover_accepted"] == ["王经理"]

    page.click(f"li.handover[data-id='{turn['handover']['id']}'] button.not-found")
    page.wait_for_selector(f"li.handover[data-id='{turn['handover']['id']}'][data-status='not_found']", timeout=5_000)
    alerts = requests.get(f"{server.url}/api/guide-alerts", headers=sup, timeout=5).json()["alerts"]
    assert [a["reason"] for a in alerts] == ["customer_not_found"]

    declined = kiosk_turn(server, "/solar_pv")
    card = page.wait_for_selector(f"li.handover[data-id='{declined['handover']['id']}']", timeout=5_000)
    card.query_selector("button.decline").click()
    page.wait_for_selector(f"li.handover[data-id='{declined['handover']['id']}']", state="detached", timeout=5_000)
    assert page.errors == []


def test_the_departments_call_backs(server, new_page):
    h = server.db
    desk_account(h, "li", "李工")
    page = new_page()
    login(page, server, "li")
    page.wait_for_selector("#live[data-live='1']", timeout=10_000)
    r = requests.post(f"{server.url}/api/callbacks", headers=server.device_headers, timeout=5,
                      json={"business_type": "solar_pv", "name": "赵敏", "phone": "13698765432"})
    assert r.status_code == 201, r.text
    item = page.wait_for_selector(f"#callbacks li[data-id='{r.json()['id']}']", timeout=5_000)
    assert "136****5432" in item.inner_text() and "13698765432" not in item.inner_text()
    item.query_selector("button.reveal").click()
    page.wait_for_function(f"document.querySelector(\"#callbacks li[data-id='{r.json()['id']}'] .phone\")"
                           ".textContent === '13698765432'", timeout=5_000)
    item.query_selector("button.status-called").click()
    page.wait_for_selector(f"#callbacks li[data-id='{r.json()['id']}'][data-status='called']", timeout=5_000)
    sup = {"Authorization": f"Bearer {make_user(h, 'sup2', 'supervisor')}"}
    audit = requests.get(f"{server.url}/api/audit?actor=li", headers=sup, timeout=5).json()["entries"]
    assert {e["action"] for e in audit} >= {"phone.reveal", "callback.called"}
    assert page.errors == []


def test_todays_and_tomorrows_appointments_on_the_desk(server, new_page):
    desk_account(server.db, "wang2", "王经理")
    soon = check_in_open()
    today = booking_at(server, server.db, soon, "13711112222")
    tomorrow = booking_at(server, server.db, soon + timedelta(days=1), "13733334444")
    page = new_page()
    login(page, server, "wang2")
    page.wait_for_selector("#live[data-live='1']", timeout=10_000)
    first, second = page.query_selector_all("section.appointments")
    row = first.wait_for_selector(f"li[data-code='{today['code']}'][data-status='booked']", timeout=5_000)
    assert "钱*" in row.inner_text() and "七" not in row.inner_text() and "137****2222" in row.inner_text() and "13711112222" not in row.inner_text()
    assert "已预约" in row.inner_text()
    second.wait_for_selector(f"li[data-code='{tomorrow['code']}']", timeout=5_000)
    assert first.query_selector(f"li[data-code='{tomorrow['code']}']") is None
    checked = requests.post(f"{server.url}/api/appointments/check-in", json={"code": today["code"]},
                            headers=server.device_headers, timeout=5)
    assert checked.status_code == 201
    first.wait_for_selector(f"li[data-code='{today['code']}'][data-status='checked_in']", timeout=5_000)
    assert page.errors == []
