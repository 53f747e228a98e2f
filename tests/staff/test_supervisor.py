"""The supervisor in Chromium: find a visit by filters, read its whole timeline; KPIs of a generated day."""
from __future__ import annotations

from datetime import date, datetime, time as time_, timedelta
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest
import requests

from kiosk.hall import tickets, triage, triage_review, visits
from tests.staff.conftest import login
from tests.staff.helpers import expected_kpis, generate_day, make_user

DAY = "2026-11-20"


def _needle(h, server) -> int:
    """One visit with everything: approach, late greeting, hostile dialog, correction, ticket, rating, snapshot."""
    at = datetime.combine(date.fromisoformat(DAY), time_(10, 15), ZoneInfo(h.hall.tz))
    with h.sessions() as s, s.begin():
        visit = visits.open_visit(s, device_id="kiosk-1", track_id="needle", at=at)
        visits.record(s, visit, "approach", {"distance_m": 2.8}, at=at)
        visits.record(s, visit, "greeted", {"latency_ms": 1200, "text": "早上好，欢迎光临"},
                      at=at + timedelta(seconds=3))
        visits.record(s, visit, "dialog_turn", {"text": "充电桩报装 {{7*7}} <script>window.__pwned=1</script>，"
                                                        "电话13912345678 身份证110101199003071234",
                                                "bot": ["<img src=x onerror=\"window.__pwned=2\">好的"]},
                      at=at + timedelta(seconds=20))
        tr = triage.record(s, visit, "pay_bill", 0.41, "充电桩报装 电话13912345678", source="assistant",
                           at=at + timedelta(seconds=21))
        ticket = tickets.issue(s, h.hall, "pay_bill", visit=visit, at=at + timedelta(seconds=30))
        triage_review.correct(s, h.hall, tr, "ev_charger", actor="guide7", at=at + timedelta(seconds=50))
        visits.record(s, visit, "rating", {"rating": 1}, at=at + timedelta(minutes=40))
        visit_id, ticket_id = visit.id, ticket.id
    img = np.full((120, 160, 3), 90, np.uint8)
    cv2.circle(img, (80, 60), 30, (200, 180, 160), -1)
    jpeg = cv2.imencode(".jpg", cv2.GaussianBlur(img, (31, 31), 0))[1].tobytes()
    requests.post(f"{server.url}/api/visits/{visit_id}/snapshot", data=jpeg,
                  headers={**server.device_headers, "Content-Type": "image/jpeg"}, timeout=5).raise_for_status()
    return visit_id, ticket_id


def test_supervisor_finds_the_visit_and_reads_its_timeline(server, new_page, tmp_path):
    h = server.db
    generate_day(h, DAY, n=40, seed=3)
    needle, ticket_id = _needle(h, server)
    make_user(h, "sup1", "supervisor")
    page = new_page()
    login(page, server, "sup1")
    assert "/staff/review" in page.url

    page.fill("input[name=date_from]", DAY)
    page.fill("input[name=date_to]", DAY)
    page.select_option("select[name=business_type]", "ev_charger")
    page.select_option("select[name=corrected]", "yes")
    page.select_option("select[name=greeting]", "late")
    page.check("input[name=low_rating]")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    rows = page.query_selector_all("#visits tbody tr")
    assert len(rows) == 1
    assert rows[0].query_selector("td a").inner_text() == str(needle)
    page.screenshot(path=str(tmp_path / "visits.png"), full_page=True)

    rows[0].query_selector("td a").click()
    page.wait_for_load_state("domcontentloaded")
    kinds = page.eval_on_selector_all("#timeline li", "els => els.map(e => e.className)")
    for kind in ("approach", "greeted", "dialog_turn", "triage", "ticket_issued", "guide_decision",
                 "ticket_transferred", "rating", "snapshot"):
        assert f"ev-{kind}" in " ".join(kinds), kind
    timeline = page.inner_text("#timeline")
    assert "1200" in timeline and "10:15:00" in timeline and "10:15:03" in timeline
    assert "{{7*7}}" in timeline and "<script>window.__pwned=1</script>" in timeline
    assert "139****5678" in timeline and "13912345678" not in timeline
    assert "110101********1234" in timeline and "110101199003071234" not in timeline
    assert page.evaluate("window.__pwned") is None
    assert page.query_selector("#timeline script, #timeline img") is None
    triages = page.inner_text("#triages")
    assert "41%" in triages and "ev_charger" in triages and "已更正" in triages
    tickets_text = page.inner_text("#tickets")
    assert "10:15:30" in tickets_text and "\tB\t" in tickets_text  # moved to ev_charger's queue
    # the blurred snapshot is there and loads (with the supervisor's session)
    loaded = page.wait_for_function("() => { const i = document.querySelector('.snaps img');"
                                    " return i && i.complete && i.naturalWidth === 160; }", timeout=5_000)
    assert loaded
    page.screenshot(path=str(tmp_path / "timeline.png"), full_page=True)
    assert page.errors == []


def test_kpis_of_a_generated_day_match(server, new_page, tmp_path):
    h = server.db
    gen = generate_day(h, DAY, n=80, seed=11)
    want = expected_kpis(gen, h.hall.tz)
    sup = {"Authorization": f"Bearer {make_user(h, 'sup2', 'supervisor')}"}
    got = requests.get(f"{server.url}/api/kpis?date_from={DAY}&date_to={DAY}", headers=sup, timeout=10).json()

    assert got["visits"] == want["visits"]
    assert got["arrivals_per_hour"] == want["arrivals_per_hour"]
    assert set(got["wait_by_queue"]) == set(want["wait_by_queue"])
    for q, w in want["wait_by_queue"].items():
        assert got["wait_by_queue"][q]["tickets"] == w["tickets"]
        assert got["wait_by_queue"][q]["mean_min"] == pytest.approx(w["mean_min"], abs=0.051)
        assert got["wait_by_queue"][q]["p90_min"] == pytest.approx(w["p90_min"], abs=0.051)
    assert got["served_within_target"]["share"] == pytest.approx(want["within"], abs=0.0006)
    g = got["greeting"]
    assert (g["approached"], g["greeted"], g["late"]) == (want["approached"], want["greeted"], want["late"])
    # those who stopped short of 2 m were never owed a greeting: compliance counts those who came near
    assert g["within_2m"] == want["within_2m"] < want["approached"]
    assert g["compliance"] == pytest.approx(want["compliance"], abs=0.0006)
    assert g["latency_mean_ms"] == pytest.approx(want["latency_mean"], abs=0.51)
    assert g["latency_p95_ms"] == pytest.approx(want["latency_p95"], abs=0.51)
    assert {bt: (c["confirmed"], c["corrected"]) for bt, c in got["triage_accuracy"].items()} == \
        {bt: (c["confirmed"], c["corrected"]) for bt, c in want["counts"].items()}
    for bt, a in want["accuracy"].items():
        assert got["triage_accuracy"][bt]["accuracy"] == pytest.approx(a, abs=0.0006)
    assert got["quoted_wait_error_min"]["mean_abs"] == pytest.approx(want["quoted_abs"], abs=0.051)
    assert got["quoted_wait_error_min"]["mean_signed"] == pytest.approx(want["quoted_signed"], abs=0.051)
    assert got["appointments"] == want["appointments"]
    assert got["satisfaction"]["ratings"] == want["ratings"]
    assert got["satisfaction"]["mean"] == pytest.approx(want["rating_mean"], abs=0.006)

    # the same figures on the KPI page, with its charts
    make_user(h, "sup3", "supervisor")
    page = new_page()
    login(page, server, "sup3", next_path=f"/staff/review/kpis?date_from={DAY}%26date_to={DAY}")
    page.goto(f"{server.url}/staff/review/kpis?date_from={DAY}&date_to={DAY}")
    assert page.inner_text("#kpi-visits") == str(want["visits"])
    assert page.inner_text("#kpi-compliance") == f"{want['compliance'] * 100:.0f}%"
    assert page.inner_text("#kpi-within") == f"{want['within'] * 100:.0f}%"
    bars = page.query_selector_all("#chart-arrivals rect.bar")
    assert len(bars) == 24
    heights = [float(b.get_attribute("height")) for b in bars]
    busiest = max(range(24), key=lambda i: want["arrivals_per_hour"][f"{i:02d}"])
    assert heights[busiest] == max(heights) > 0
    assert len(page.query_selector_all("#chart-accuracy rect.bar")) == len(want["accuracy"])
    page.screenshot(path=str(tmp_path / "kpis.png"), full_page=True)

    csv_text = requests.get(f"{server.url}/api/kpis.csv?date_from={DAY}&date_to={DAY}", headers=sup,
                            timeout=10).text
    assert f"visits,,count,{want['visits']}" in csv_text
    visits_csv = requests.get(f"{server.url}/api/visits.csv?date_from={DAY}&date_to={DAY}", headers=sup,
                              timeout=10).text
    assert len(visits_csv.strip().splitlines()) == want["visits"] + 1
    assert page.errors == []


def test_audit_page_and_retention(server, new_page, tmp_path):
    h = server.db
    make_user(h, "sup4", "supervisor")
    page = new_page()
    login(page, server, "sup4")
    page.goto(f"{server.url}/staff/review/audit")
    assert "staff.login" in page.inner_text("#audit")
    page.click("#retention button[type=submit]")
    page.wait_for_selector("#purged")
    assert "snapshots.purge" in page.inner_text("#audit")
    page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
