"""Issue 15's acceptance check, end to end: the real server (`python -m kiosk serve`, two workers), accounts
made with `python -m kiosk create-user`, counter 1's rating pad with `python -m kiosk add-device`, everything
else over HTTP as the pages and devices do it."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pypdf
import requests


def test_a_counter_signs_in_serves_two_the_customers_rate_and_the_supervisor_reconstructs(hall_server):
    url, kiosk = hall_server.url, hall_server.device_headers  # in development, the shared device token

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    counter = bearer(hall_server.create_user("zhang", "--role", "counter"))
    pad = bearer(hall_server.add_device("counter-1", "--kind", "rating-pad"))  # counter 1's own pad
    supervisor = bearer(hall_server.create_user("sup", "--role", "supervisor"))
    guide = bearer(hall_server.create_user("li", "--role", "guide"))
    http = requests.Session()

    def post(path, headers, **kw):
        return http.post(f"{url}{path}", headers=headers, timeout=30, **kw)

    def get(path, headers):
        return http.get(f"{url}{path}", headers=headers, timeout=60)

    issued = []
    for _ in range(2):  # two customers take tickets at the kiosk
        session = post("/api/kiosk/sessions", kiosk, json={"device_id": "kiosk-1"}).json()
        issued.append(post("/api/tickets", kiosk,
                           json={"business_type": "pay_bill", "visit_id": session["visit_id"]}).json())

    signed = post("/api/counters/1/sign-in", counter)
    assert signed.status_code == 200 and signed.json()["signed_in"]["name"] == "zhang"
    served = []
    for n, ticket in enumerate(issued):
        called = post("/api/counters/1/call-next", counter).json()
        assert called["id"] == ticket["id"]
        if n == 0:
            early = post(f"/api/tickets/{ticket['id']}/rating", pad, json={"rating": 5})
            assert early.status_code == 409 and early.json()["error"]["code"] == "not_done"
        assert post(f"/api/tickets/{ticket['id']}/serve", counter).json()["status"] == "serving"
        assert post(f"/api/tickets/{ticket['id']}/done", counter).json()["status"] == "done"
        served.append(ticket)
    for ticket, rating in zip(served, (1, 5)):
        assert post(f"/api/tickets/{ticket['id']}/rating", pad, json={"rating": rating}).status_code == 201

    # the staff report's ?from&to: a period holding the hall's today in any time zone
    utc_today = datetime.now(timezone.utc).date()
    period = f"from={utc_today - timedelta(days=1)}&to={utc_today + timedelta(days=1)}"
    report = get(f"/api/reports/staff?{period}", supervisor)
    assert report.status_code == 200
    zhang = next(row for row in report.json()["staff"] if row["name"] == "zhang")
    assert zhang["served"] == 2 and zhang["avg_rating"] == 3.0
    assert get(f"/api/reports/staff?{period}", guide).status_code == 403

    found = get(f"/api/visits?ticket={served[0]['number']}", supervisor).json()["visits"]
    assert [v["id"] for v in found] == [served[0]["visit_id"]]
    pack = get(f"/api/visits/{found[0]['id']}/report.pdf", supervisor)
    assert pack.status_code == 200 and pack.headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pack.content)).pages).replace("\x00", "")
    assert served[0]["number"] in text and "zhang" in text and "1 / 5" in text
