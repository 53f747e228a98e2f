"""The guide's tablet in Chromium: a kiosk session's triage appears live; the guide corrects it."""
from __future__ import annotations

import time

import requests

from tests.conftest import ONE_ENGINE
from tests.staff.conftest import count_beeps, login
from tests.staff.helpers import kiosk_triage, make_user

# the tablet's moves do not depend on the database
pytestmark = ONE_ENGINE

INJECTIONS = ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=2">',
              '{{7*7}} ${7*7} {% raw %}']


def test_triage_appears_live_and_correction_keeps_the_place(server, new_page, tmp_path):
    h = server.db
    token = make_user(h, "guide1", "guide")
    guide = {"Authorization": f"Bearer {token}"}
    page = new_page()
    login(page, server, "guide1")
    assert page.url.endswith("/staff/guide")
    page.wait_for_selector("#live[data-live='1']", timeout=10_000)

    # the kiosk: a customer types something hostile, then picks 发票开具 on the touch menu
    kiosk = requests.post(f"{server.url}/api/kiosk/sessions", json={"device_id": "kiosk-1"},
                          headers=server.device_headers, timeout=10).json()
    assert kiosk["mode"] == "menu"
    said = " ".join(INJECTIONS) + " 电话13912345678"
    requests.post(f"{server.url}/api/kiosk/sessions/{kiosk['id']}/messages", json={"text": said},
                  headers=server.device_headers, timeout=10).raise_for_status()
    sent = time.monotonic()
    turn = requests.post(f"{server.url}/api/kiosk/sessions/{kiosk['id']}/messages",
                         json={"payload": "/invoice"}, headers=server.device_headers, timeout=10).json()
    triage_id, number = turn["triage"]["id"], turn["ticket"]["number"]
    page.wait_for_selector(f"li.triage[data-id='{triage_id}']", timeout=5_000)
    shown_after = time.monotonic() - sent
    card = page.query_selector(f"li.triage[data-id='{triage_id}']")
    assert card.query_selector(".number").inner_text() == number
    assert card.query_selector(".type").inner_text() == "发票开具"
    assert card.query_selector(".conf").inner_text() == "100%"

    # two customers of queue C come after; the first customer's ticket will join them
    later = [kiosk_triage(h, "name_transfer", f"我要办过户 {i}", confidence=0.55) for i in range(2)]
    for x in later:
        page.wait_for_selector(f"li.triage[data-id='{x['triage_id']}']", timeout=5_000)
    low = page.query_selector(f"li.triage[data-id='{later[0]['triage_id']}']")
    assert "把握低" in low.query_selector(".flags").inner_text()

    card = page.query_selector(f"li.triage[data-id='{triage_id}']")
    # what the customer typed is shown as text: nothing ran, no element was made of it, masked phone
    dialog = card.query_selector(".dialog").inner_text()
    for s in INJECTIONS:
        assert s in dialog
    assert "139****5678" in dialog and "13912345678" not in dialog
    assert card.query_selector(".dialog img") is None and card.query_selector(".dialog script") is None
    assert page.evaluate("window.__pwned") is None
    assert "49" not in dialog

    page.screenshot(path=str(tmp_path / "guide.png"), full_page=True)

    # the guide corrects 交电费 -> 更名过户
    card = page.locator(f"li.triage[data-id='{triage_id}']")
    card.locator(".correct-to").select_option("name_transfer")
    card.locator(".correct").click()
    page.wait_for_selector(f"li.triage[data-id='{triage_id}']", state="detached", timeout=5_000)
    ticket = requests.get(f"{server.url}/api/tickets/{turn['ticket']['id']}", headers=guide, timeout=5).json()
    assert ticket["queue"] == "C" and ticket["business_type"] == "name_transfer"
    assert ticket["position"] == 1 and ticket["transferred_from"] == "A"
    behind = requests.get(f"{server.url}/api/tickets/{later[0]['ticket_id']}", headers=guide, timeout=5).json()
    assert behind["position"] == 2

    # confirming the next one through the tablet
    page.locator(f"li.triage[data-id='{later[0]['triage_id']}'] .confirm").click()
    page.wait_for_selector(f"li.triage[data-id='{later[0]['triage_id']}']", state="detached", timeout=5_000)
    left = requests.get(f"{server.url}/api/triages?status=pending", headers=guide, timeout=5).json()["triages"]
    assert [t["id"] for t in left] == [later[1]["triage_id"]]
    assert page.errors == []
    print(f"triage shown on the tablet {shown_after * 1000:.0f} ms after the kiosk turn was sent")


def test_alert_flags_duty_and_booking(server, new_page, tmp_path):
    h = server.db
    make_user(h, "guide2", "guide")
    page = new_page()
    login(page, server, "guide2")
    page.wait_for_selector("#live[data-live='1']", timeout=10_000)
    count_beeps(page)

    requests.post(f"{server.url}/api/guide-alerts", json={"reason": "asked_for_human",
                  "text": "<img src=x onerror=\"window.__pwned=3\">找人工"},
                  headers=server.device_headers, timeout=5).raise_for_status()
    page.wait_for_selector("#alarm:not([hidden])", timeout=5_000)
    item = page.wait_for_selector("#alerts li", timeout=5_000)
    assert "找人工" in item.inner_text() and item.query_selector("img") is None
    assert page.evaluate("window.__beeps") >= 1
    assert page.evaluate("window.__pwned") is None
    item.query_selector("button").click()
    page.wait_for_function("document.querySelectorAll('#alerts li').length === 0", timeout=5_000)

    page.check("#flag-rain")
    page.wait_for_timeout(300)
    assert requests.get(f"{server.url}/api/hall/flags", timeout=5).json()["rain"] is True

    # the roster is read only: a back-office person is present when they say so on their desk page
    assert page.query_selector("#duty input") is None
    wang = page.wait_for_selector("#duty tr:first-child td.available")
    assert wang.inner_text() == "—"
    with h.sessions() as s, s.begin():
        from kiosk.hall import accounts, duty
        desk = accounts.create_user(s, "wang", "backoffice", "password-123", staff=duty.by_name(s, "王经理"))[1]
    requests.post(f"{server.url}/api/desk/presence", json={"available": True}, timeout=5,
                  headers={"Authorization": f"Bearer {desk}"}).raise_for_status()
    page.wait_for_selector("#duty tr.reachable:first-child td.available", timeout=5_000)

    # urgent calls come first, marked, with the louder alarm
    before = page.evaluate("window.__beeps")
    requests.post(f"{server.url}/api/guide-alerts", json={"reason": "asked_for_human"},
                  headers=server.device_headers, timeout=5).raise_for_status()
    requests.post(f"{server.url}/api/guide-alerts", json={"reason": "danger", "text": "电线掉了"},
                  headers=server.device_headers, timeout=5).raise_for_status()
    page.wait_for_selector("#alarm.urgent:not([hidden])", timeout=5_000)
    page.wait_for_function("document.querySelectorAll('#alerts li').length === 2", timeout=5_000)
    first_alert = page.query_selector("#alerts li:first-child")
    assert "urgent" in first_alert.get_attribute("class") and "电线掉了" in first_alert.inner_text()
    assert page.evaluate("window.__beeps") - before >= 3

    # 绿色通道: a priority ticket for an elderly customer, audited
    page.select_option("#priority-type", "invoice")
    page.select_option("#priority-reason", "elderly")
    page.click("#priority button[type=submit]")
    page.wait_for_selector("#priority-result.ok", timeout=5_000)
    number = page.inner_text("#priority-result").split()[-1]
    sup = {"Authorization": f"Bearer {make_user(h, 'sup9', 'supervisor')}"}
    audit = requests.get(f"{server.url}/api/audit?action=ticket.priority", headers=sup, timeout=5).json()
    assert [(e["actor"], e["details"]["number"], e["details"]["reason"]) for e in audit["entries"]] == [
        ("guide2", number, "elderly")]

    page.wait_for_function("document.querySelectorAll('#book-slot option').length > 0", timeout=5_000)
    page.fill("#book input[name=name]", "张三")
    page.fill("#book input[name=phone]", "13800138000")
    page.click("#book button[type=submit]")
    page.wait_for_selector("#book-result.ok", timeout=5_000)
    assert "138****8000" in page.inner_text("#book-result")
    page.screenshot(path=str(tmp_path / "guide-alerts.png"), full_page=True)
    assert page.errors == []
