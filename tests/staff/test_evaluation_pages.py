"""Service evaluation in Chromium: a counter signs in and serves, the counter's rating pad lights up and
takes the rating, the phone's status page takes one too, the supervisor reads the scorecards, finds the
visit by its ticket number and works the follow-up case; a counter account sees only its own card."""
from __future__ import annotations

import requests

from tests.staff.conftest import login
from tests.staff.helpers import kiosk_triage, make_user
from tests.support import axe


def _api(server, method: str, path: str, headers: dict, **kw) -> requests.Response:
    return requests.request(method, f"{server.url}{path}", headers=headers, timeout=10, **kw)


def test_sign_in_serve_rate_on_the_pad_then_scorecards_search_and_the_case(server, new_page, tmp_path):
    h = server.db
    make_user(h, "zhang", "counter")
    make_user(h, "sup", "supervisor")
    customer = kiosk_triage(h, "pay_bill", "交电费")

    pad = new_page()
    pad.set_viewport_size({"width": 1024, "height": 600})
    pad.goto(f"{server.url}/pad?counter=1#token={server.device_token}")
    pad.wait_for_selector("body[data-state='idle']")
    assert "token=" not in pad.url  # the token left the address bar

    counter = new_page()
    login(counter, server, "zhang")
    counter.wait_for_function("document.querySelectorAll('#counter option').length > 0", timeout=5_000)
    counter.select_option("#counter", "1")
    assert counter.inner_text("#signed-in") == "本窗口无人签到"
    counter.click("#sign-in")
    counter.wait_for_function("document.getElementById('signed-in').textContent === 'zhang 在岗'", timeout=5_000)
    assert counter.is_checked("#open") and counter.is_visible("#sign-out")
    counter.click("#call-next")
    counter.wait_for_selector("#ticket:not([hidden])", timeout=5_000)
    assert counter.inner_text("#t-number") == customer["number"]
    counter.click("[data-act=serve]")
    counter.wait_for_timeout(300)
    counter.click("[data-act=done]")
    counter.wait_for_selector("#ticket", state="hidden", timeout=5_000)

    # the pad lights up for that customer and takes a poor rating with a comment
    pad.wait_for_selector("body[data-state='ask']", timeout=8_000)
    assert pad.inner_text("#ticket") == f"1号窗口 · {customer['number']}"
    assert axe.blocking(axe.audit(pad, "pad-ask")) == [] and axe.small_targets(pad) == []
    pad.screenshot(path=str(tmp_path / "pad.png"))
    pad.click(".send")
    assert pad.inner_text(".rate-msg") == "请先选择满意程度"
    pad.click("[data-rating='2']")
    pad.fill("#rate-comment", "办理太慢")
    pad.click(".send")
    pad.wait_for_selector("body[data-state='thanks']", timeout=5_000)
    assert pad.inner_text("#thanks") == "感谢您的反馈，值班长会尽快跟进。"
    pad.wait_for_selector("body[data-state='idle']", timeout=10_000)

    # the supervisor: scorecards with the rating, the CSV, the visit found by its number, the case worked
    sup = new_page()
    login(sup, server, "sup")
    sup.goto(f"{server.url}/staff/review/staff")
    row = sup.locator("#counter-cards tr[data-name='zhang']")
    assert (row.locator(".served").inner_text(), row.locator(".avg-rating").inner_text()) == ("1", "2.00")
    assert sup.locator("#chart-served rect.bar").count() == 1
    csv = sup.request.get(server.url + sup.get_attribute("#csv", "href"))
    assert csv.ok and "counter,zhang,counter,1," in csv.text()
    sup.screenshot(path=str(tmp_path / "scorecards.png"), full_page=True)

    sup.goto(f"{server.url}/staff/review")
    sup.fill("input[name=ticket]", customer["number"])
    sup.click("#filters button[type=submit]")
    sup.wait_for_load_state("domcontentloaded")
    rows = sup.query_selector_all("#visits tbody tr")
    assert len(rows) == 1 and f"{customer['number']} · 1号窗口 · zhang" in rows[0].inner_text()
    rows[0].query_selector("td a").click()
    sup.wait_for_load_state("domcontentloaded")
    service = sup.inner_text("#service")
    assert "zhang" in service and "2 / 5" in service and "办理太慢" in service
    pack = sup.request.get(server.url + sup.get_attribute("#pack", "href"))
    assert pack.ok and pack.headers["content-type"] == "application/pdf"
    sup.click("#cases a")
    sup.wait_for_load_state("domcontentloaded")
    assert "差评回访" in sup.inner_text("#case") and "办理太慢" in sup.inner_text("#case")
    sup.fill("#add-note textarea", "已电话回访，客户理解")
    sup.click("#add-note button")
    sup.wait_for_load_state("domcontentloaded")
    assert "已电话回访" in sup.inner_text("#notes")
    sup.fill("#close-case textarea", "窗口当时系统卡顿，已报修")
    sup.click("#close-case button")
    sup.wait_for_load_state("domcontentloaded")
    assert "已结案" in sup.inner_text("h1") and "已报修" in sup.inner_text("#finding")
    assert not sup.is_visible("#close-case")

    # a counter account: its own card, and no one else's
    counter.goto(f"{server.url}/staff/scorecard")
    assert counter.locator("#counter-cards tbody tr").count() == 1
    assert counter.locator("#counter-cards tr[data-name='zhang'] .served").inner_text() == "1"
    assert counter.goto(f"{server.url}/staff/review/staff").status == 403
    for page in (pad, counter, sup):
        assert page.errors == []


def test_the_phone_asks_for_a_rating_once_the_service_is_done(server, new_page):
    h = server.db
    counter = {"Authorization": f"Bearer {make_user(h, 'wang', 'counter')}"}
    device = server.device_headers
    ticket = _api(server, "POST", "/api/tickets", device, json={"business_type": "pay_bill"}).json()
    phone = new_page(is_mobile=True, has_touch=True)
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{ticket['status_url']}?poll=1")
    assert not phone.is_visible("#rate")
    _api(server, "POST", "/api/counters/2/sign-in", counter).raise_for_status()
    assert _api(server, "POST", "/api/counters/2/call-next", counter).json()["id"] == ticket["id"]
    _api(server, "POST", f"/api/tickets/{ticket['id']}/done", counter).raise_for_status()
    phone.wait_for_selector("#rate", state="visible", timeout=5_000)
    phone.click("[data-rating='5']")
    phone.click("#rate .send")
    phone.wait_for_function("document.getElementById('rated').textContent === '感谢您的评价！'", timeout=5_000)
    assert not phone.is_visible("#rate")
    phone.reload()
    phone.wait_for_timeout(1_500)  # a poll or two: the form stays away
    assert not phone.is_visible("#rate")
    again = _api(server, "POST", f"/api/tickets/{ticket['id']}/rating", device, json={"rating": 1})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    assert phone.errors == []
