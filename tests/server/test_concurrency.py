"""Under concurrent clients on the real server: no number twice, no ticket called twice, no over-booking."""
from concurrent.futures import ThreadPoolExecutor

import requests



def _login_counter(hall_server):
    import os
    import subprocess
    import sys

    env = {**hall_server.env, "KIOSK_USER_PASSWORD": "password-123"}
    out = subprocess.run([sys.executable, "-m", "kiosk", "create-user", "counter-bot", "--role", "counter"],
                         env=env, capture_output=True, text=True, check=True, cwd=os.getcwd()).stdout
    return {"Authorization": f"Bearer {out.split('(shown once): ')[1].strip()}"}


def test_concurrent_issue_call_and_booking(hall_server):
    url, device = hall_server.url, hall_server.device_headers
    with requests.Session() as http:
        def issue(i):
            bt = ("pay_bill", "invoice", "bill_inquiry")[i % 3]
            r = http.post(f"{url}/api/tickets", json={"business_type": bt}, headers=device, timeout=30)
            assert r.status_code == 201, r.text
            return r.json()["number"]

        with ThreadPoolExecutor(16) as pool:
            numbers = list(pool.map(issue, range(120)))
    assert len(set(numbers)) == 120
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 121)]

    counter = _login_counter(hall_server)
    for cid in range(1, 7):
        requests.patch(f"{url}/api/counters/{cid}", json={"is_open": True, "queues": ["A"]},
                       headers=counter, timeout=10).raise_for_status()

    def work(cid):
        called = []
        with requests.Session() as http:
            while True:
                r = http.post(f"{url}/api/counters/{cid}/call-next", headers=counter, timeout=30)
                if r.status_code == 204:
                    return called
                assert r.status_code == 200, r.text
                called.append(r.json()["number"])
                http.post(f"{url}/api/tickets/{r.json()['id']}/done", headers=counter,
                          timeout=30).raise_for_status()

    with ThreadPoolExecutor(6) as pool:
        per_counter = list(pool.map(work, range(1, 7)))
    everything = [n for called in per_counter for n in called]
    assert sorted(everything) == sorted(numbers)  # every ticket called exactly once

    slot = requests.get(f"{url}/api/appointments/slots?business_type=solar_pv", headers=device,
                        timeout=10).json()["slots"][0]

    def book(i):
        return requests.post(f"{url}/api/appointments", json={
            "slot_id": slot["id"], "business_type": "solar_pv", "name": f"客户{i}",
            "phone": f"139{i:08d}"}, headers=device, timeout=30).status_code

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(book, range(30)))
    assert codes.count(201) == 3 and codes.count(409) == 27
