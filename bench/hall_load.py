"""Hall server under load, on SQLite and on PostgreSQL (issue 2's figures).

    .venv/bin/python bench/hall_load.py [--engines sqlite,postgresql] [--tickets 2000]

For each engine it starts the real server (`python -m kiosk serve`) and prints:
16 clients issuing tickets (errors, duplicates, p50/p95 latency, tickets/s, and how
their connections fell on the worker processes);
the clients are 16 connections of wrk (`apt-get install wrk`, script
bench/issue_tickets.lua, for --seconds: 2,000 tickets and more at 200/s) so
that the load generator takes little of the 2 cores it shares with the
server; `--client python` issues --tickets from 16 Python threads;
8 counters calling until the queue is empty (each ticket called exactly once?);
50 concurrent bookings of a slot of capacity 3 (how many succeeded);
the visit list and KPI queries over 100,000 generated visits (seconds).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.pg import TempPostgres  # noqa: E402
from tests.support.server import HallServerProcess  # noqa: E402

BUSINESS = ["pay_bill", "bill_inquiry", "invoice", "new_connection_residential", "name_transfer",
            "tariff_change", "meter_issue", "outage_inquiry", "general_inquiry", "ev_charger"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def staff_token(server: HallServerProcess, role: str) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-m", "kiosk", "create-user", f"bench-{role}", "--role", role],
                         env={**server.env, "KIOSK_USER_PASSWORD": "bench-password"}, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return {"Authorization": f"Bearer {out.split('(shown once): ')[1].strip()}"}


def issue_load(server: HallServerProcess, total: int, clients: int) -> None:
    latencies: list[float] = []
    numbers: list[str] = []
    errors = 0
    per_client = total // clients

    def client(i: int):
        nonlocal errors
        with requests.Session() as http:
            for k in range(per_client):
                bt = BUSINESS[(i + k) % len(BUSINESS)]
                t0 = time.perf_counter()
                try:
                    r = http.post(f"{server.url}/api/tickets", json={"business_type": bt},
                                  headers=server.device_headers, timeout=30)
                    ok = r.status_code == 201
                except requests.RequestException:
                    ok = False
                latencies.append((time.perf_counter() - t0) * 1000)
                if ok:
                    numbers.append(r.json()["number"])
                else:
                    errors += 1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - t0
    print(f"  issue: {len(numbers)} tickets by {clients} clients in {elapsed:.1f} s = "
          f"{len(numbers) / elapsed:.0f} tickets/s; errors {errors}; duplicates "
          f"{len(numbers) - len(set(numbers))}; latency p50 {statistics.median(latencies):.1f} ms, "
          f"p95 {pct(latencies, 0.95):.1f} ms")
    return numbers


def issue_load_wrk(server: HallServerProcess, db_url: str, seconds: int, clients: int) -> list[str]:
    """The same load from wrk, for a fixed time; duplicates are then looked for in the database itself."""
    wrk = subprocess.Popen(["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--timeout", "30s",
                            "-s", str(ROOT / "bench" / "issue_tickets.lua"), f"{server.url}/api/tickets"],
                           env={**os.environ, "BENCH_TOKEN": server.device_token},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(min(2, seconds / 2))
    split = connections_per_worker(server.port)
    stdout, stderr = wrk.communicate()
    if wrk.returncode != 0:
        raise SystemExit(f"wrk failed: {stdout}{stderr}")
    figures = json.loads(stdout.strip().splitlines()[-1])
    from sqlalchemy import create_engine, select

    from kiosk.models import Ticket

    engine = create_engine(db_url)
    with engine.connect() as conn:
        numbers = [f"{day}:{n}" for day, n in conn.execute(select(Ticket.service_day, Ticket.number))]
    engine.dispose()
    print(f"  issue (wrk, {clients} connections): {figures['created']} tickets in {figures['duration_s']:.1f} s = "
          f"{figures['created'] / figures['duration_s']:.0f} tickets/s; errors {figures['errors']}; "
          f"tickets in the database {len(numbers)}, duplicate numbers {len(numbers) - len(set(numbers))}; "
          f"latency p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms; "
          f"connections per worker {split}")
    return [n.split(":")[1] for n in numbers]


def connections_per_worker(port: int) -> str:
    """How wrk's connections fell on the server's processes, e.g. 9/7: each stays with the
    worker that accepted it, and the busier worker sets the tail latency."""
    if not shutil.which("ss"):
        return "unknown (no ss)"
    out = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True).stdout
    per_worker = Counter(re.findall(r"pid=(\d+)", out)).values()
    return "/".join(str(n) for n in sorted(per_worker, reverse=True)) or "unknown"


def counters_drain(server: HallServerProcess, numbers: list[str], counters: int = 6) -> None:
    headers = staff_token(server, "counter")
    for cid in range(1, counters + 1):
        requests.patch(f"{server.url}/api/counters/{cid}", headers=headers, timeout=10,
                       json={"is_open": True, "queues": ["A", "B", "C", "D"]}).raise_for_status()
    # 8 calling clients over the 6 configured counters: two pairs share a counter and
    # race each other, the harder case (the loser gets 409 counter_busy and retries)
    called: list[str] = []
    conflicts = 0

    def work(i: int):
        nonlocal conflicts
        cid = i % counters + 1
        with requests.Session() as http:
            while True:
                r = http.post(f"{server.url}/api/counters/{cid}/call-next", headers=headers, timeout=30)
                if r.status_code == 204:
                    return
                if r.status_code == 409:
                    conflicts += 1
                    time.sleep(0.01)
                    continue
                r.raise_for_status()
                called.append(r.json()["number"])
                http.post(f"{server.url}/api/tickets/{r.json()['id']}/done", headers=headers,
                          timeout=30)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))
    twice = len(called) - len(set(called))
    missed = len(set(numbers) - set(called))
    print(f"  call: 8 callers on {counters} counters called {len(called)} tickets in "
          f"{time.perf_counter() - t0:.1f} s; called twice {twice}; never called {missed}; "
          f"every ticket exactly once: {twice == 0 and missed == 0}")


def booking_race(server: HallServerProcess) -> None:
    slot = requests.get(f"{server.url}/api/appointments/slots?business_type=capacity_change",
                        headers=server.device_headers, timeout=10).json()["slots"][0]

    def book(i: int) -> int:
        return requests.post(f"{server.url}/api/appointments", headers=server.device_headers, timeout=30,
                             json={"slot_id": slot["id"], "business_type": "capacity_change",
                                   "name": f"客户{i}", "phone": f"137{i:08d}"}).status_code

    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(book, range(50)))
    print(f"  booking: 50 concurrent bookings of a slot of capacity {slot['capacity']}: "
          f"{codes.count(201)} booked, {codes.count(409)} refused as full, other {len(codes) - codes.count(201) - codes.count(409)}")


def generate_history(db_url: str, visits: int) -> None:
    """A busy hall's year: visits with summaries, tickets, triages and ratings, bulk-inserted."""
    from sqlalchemy import func, insert, select

    from kiosk.db import make_engine
    from kiosk.models import Ticket, Triage, Visit

    rng = random.Random(7)
    start = datetime.now(timezone.utc) - timedelta(days=365)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        first = max(conn.scalar(select(func.max(Visit.id))) or 0,
                    conn.scalar(select(func.max(Ticket.id))) or 0) + 1
    v_rows, t_rows, tr_rows = [], [], []
    for i in range(first, first + visits):
        at = start + timedelta(seconds=(i - first) * 365 * 86400 / visits)
        bt = rng.choice(BUSINESS)
        greeted = rng.random() < 0.95
        v_rows.append({"id": i, "device_id": "kiosk-1", "track_id": str(i), "started_at": at,
                       "ended_at": at + timedelta(minutes=20), "business_type": bt,
                       "outcome": "ticket", "approached": True, "greeted": greeted,
                       "greeting_latency_ms": rng.randint(100, 900) if greeted else None,
                       "triage_confidence": rng.random(), "corrected": rng.random() < 0.05,
                       "rating": rng.choice([None, None, 3, 4, 5, 1]), "language": "zh"})
        called = at + timedelta(minutes=rng.randint(1, 30))
        t_rows.append({"id": i, "service_day": at.date(), "number": f"H{i:06d}", "queue": "A",
                       "business_type": bt, "priority": False, "status": "done", "issued_at": at,
                       "rank": 2, "order_at": at, "called_at": called, "serving_at": called,
                       "wait_s": int((called - at).total_seconds()),
                       "finished_at": called + timedelta(minutes=6), "recalls": 0,
                       "quoted_wait_min": rng.randint(0, 30), "language": "zh", "visit_id": i})
        tr_rows.append({"visit_id": i, "text": "我来交电费", "business_type": bt, "confidence": 0.9,
                        "source": "assistant", "status": rng.choice(["confirmed", "corrected", "pending"]),
                        "created_at": at, "ticket_id": i})
    with engine.begin() as conn:
        for model, rows in ((Visit, v_rows), (Ticket, t_rows), (Triage, tr_rows)):
            for k in range(0, len(rows), 5000):
                conn.execute(insert(model), rows[k:k + 5000])
        if engine.dialect.name == "postgresql":
            for table in ("visits", "tickets", "triages"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))")
                conn.exec_driver_sql(f"ANALYZE {table}")
    engine.dispose()


def history_queries(server: HallServerProcess) -> None:
    headers = staff_token(server, "supervisor")
    year = (datetime.now(timezone.utc) - timedelta(days=366)).date().isoformat()
    today = datetime.now(timezone.utc).date().isoformat()
    for name, path in (("visit list, a year, first page", f"/api/visits?date_from={year}&date_to={today}"),
                       ("visit list, filtered (corrected, late greeting)",
                        f"/api/visits?date_from={year}&date_to={today}&corrected=true&greeting=late"),
                       ("KPIs over a year", f"/api/kpis?date_from={year}&date_to={today}"),
                       ("KPIs over a month", f"/api/kpis?date_from={(datetime.now(timezone.utc) - timedelta(days=30)).date()}")):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            r = requests.get(f"{server.url}{path}", headers=headers, timeout=60)
            times.append(time.perf_counter() - t0)
            r.raise_for_status()
        total = r.json().get("total", r.json().get("visits"))
        print(f"  {name}: median {statistics.median(times):.3f} s, worst {max(times):.3f} s "
              f"(visits counted: {total})")


def run_engine(engine: str, tickets: int, seconds: int, history: int, workers: int | None,
               client: str) -> None:
    pg = None
    if engine == "postgresql":
        pg = TempPostgres(durable=True).start()  # fsync on: a real server's commits
        url, default_workers = pg.create_database("bench"), 2
    else:
        url, default_workers = f"sqlite:///{tempfile.mkdtemp(prefix='kiosk-bench-')}/hall.db", 1
    workers = str(workers or default_workers)
    server = HallServerProcess(url, KIOSK_WORKERS=workers).start()
    try:
        print(f"{engine} ({workers} worker{'s' if workers != '1' else ''}):")
        numbers = (issue_load_wrk(server, url, seconds, 16) if client == "wrk"
                   else issue_load(server, tickets, 16))
        counters_drain(server, numbers)
        booking_race(server)
        t0 = time.perf_counter()
        generate_history(url, history)
        print(f"  history: {history} visits generated in {time.perf_counter() - t0:.0f} s")
        history_queries(server)
    finally:
        server.stop()
        if pg:
            pg.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--tickets", type=int, default=2000, help="tickets to issue (python client)")
    ap.add_argument("--seconds", type=int, default=10, help="how long wrk issues tickets")
    ap.add_argument("--history", type=int, default=100_000)
    ap.add_argument("--workers", type=int, help="server processes (default: 1 on SQLite, 2 on PostgreSQL)")
    ap.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                    help="load generator for the ticket issue (default wrk when installed)")
    args = ap.parse_args()
    for engine in args.engines.split(","):
        run_engine(engine, args.tickets, args.seconds, args.history, args.workers, args.client)


if __name__ == "__main__":
    main()
