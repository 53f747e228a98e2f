"""The supervisor's pages over 100,000 visits: KPI page and visit list, on SQLite and PostgreSQL.

Run from the repository root:

    .venv/bin/python bench/staff_reports.py                      # both engines, 100,000 visits
    .venv/bin/python bench/staff_reports.py --engines sqlite --visits 20000

Visits (with their tickets and triages) are bulk-inserted over 90 days; the
real server (`python -m kiosk serve`) then answers a logged-in supervisor's
browser requests: the KPI page over the whole period, the visit list (first
page, and with filters), and the JSON /api/kpis. Each request is timed
end-to-end over HTTP, five times; prints median and max. Asserts nothing.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, time as time_, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from kiosk.db import make_engine  # noqa: E402
from kiosk.hall import accounts, taxonomy  # noqa: E402
from kiosk.migrate import upgrade  # noqa: E402
from kiosk.models import Ticket, Triage, Visit  # noqa: E402
from kiosk.settings import Settings  # noqa: E402
from tests.support.pg import TempPostgres  # noqa: E402
from tests.support.server import HallServerProcess  # noqa: E402

DAYS = 90
FIRST_DAY = date(2026, 8, 1)


def populate(url: str, n: int, seed: int = 1) -> None:
    engine = make_engine(url)
    upgrade(engine)
    tax = taxonomy.load(Settings().business_types_file)
    types = list(tax.types)
    tz = ZoneInfo("Asia/Shanghai")
    rnd = random.Random(seed)
    started = time.perf_counter()
    with engine.begin() as conn:
        for chunk in range(0, n, 10_000):
            visits, tickets, triages = [], [], []
            for i in range(chunk, min(n, chunk + 10_000)):
                day = FIRST_DAY + timedelta(days=i * DAYS // n)
                at = datetime.combine(day, time_(8, 30), tz) + timedelta(seconds=rnd.randint(0, 8 * 3600))
                at = at.astimezone(timezone.utc)
                bt = rnd.choice(types)
                approached = rnd.random() < 0.9
                greeted = approached and rnd.random() < 0.9
                status = rnd.choice(["confirmed", "confirmed", "corrected", "pending"])
                visits.append({"id": i + 1, "device_id": "kiosk-1", "track_id": str(i), "started_at": at,
                               "ended_at": at + timedelta(minutes=30), "business_type": bt,
                               "outcome": rnd.choice(["ticket"] * 6 + ["appointment", "handover", "guide", "left"]),
                               "greeted": greeted, "approached": approached,
                               "greeting_latency_ms": rnd.randint(80, 1500) if greeted else None,
                               "triage_confidence": round(rnd.uniform(0.3, 1.0), 3),
                               "corrected": status == "corrected",
                               "rating": rnd.randint(1, 5) if rnd.random() < 0.4 else None, "language": "zh"})
                triages.append({"visit_id": i + 1, "text": "我想办业务", "business_type": bt,
                                "confidence": visits[-1]["triage_confidence"], "source": "assistant",
                                "status": status, "created_at": at + timedelta(seconds=40)})
                if rnd.random() < 0.8:
                    issued = at + timedelta(minutes=1)
                    called = issued + timedelta(seconds=rnd.randint(60, 2400))
                    tickets.append({"service_day": day, "number": f"{tax.types[bt].queue}{i:07d}",
                                    "queue": tax.types[bt].queue, "business_type": bt, "priority": False,
                                    "status": "done", "issued_at": issued, "order_at": issued, "called_at": called,
                                    "wait_s": int((called - issued).total_seconds()),
                                    "finished_at": called + timedelta(minutes=6), "recalls": 0,
                                    "quoted_wait_min": round(rnd.uniform(0, 30), 1), "language": "zh",
                                    "visit_id": i + 1})
            conn.execute(insert(Visit), visits)
            conn.execute(insert(Ticket), tickets)
            conn.execute(insert(Triage), triages)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT setval('visits_id_seq', (SELECT max(id) FROM visits))")
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    with engine.begin() as conn:
        from sqlalchemy.orm import Session

        with Session(bind=conn) as s:
            accounts.create_user(s, "bench-sup", "supervisor", "password-123")
            s.flush()
    engine.dispose()
    print(f"  inserted {n:,} visits in {time.perf_counter() - started:.1f} s")


def login(base: str) -> requests.Session:
    web = requests.Session()
    page = web.get(f"{base}/staff/login", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    r = web.post(f"{base}/staff/login", data={"username": "bench-sup", "password": "password-123",
                                               "csrf_token": token, "next": ""}, timeout=10)
    r.raise_for_status()
    return web


def timed(web: requests.Session, url: str, runs: int = 5) -> tuple[float, float, int]:
    times = []
    size = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        r = web.get(url, timeout=60)
        times.append(time.perf_counter() - t0)
        r.raise_for_status()
        size = len(r.content)
    return statistics.median(times), max(times), size


def run_engine(engine: str, n: int, workers: int) -> None:
    pg = None
    tmp = Path(tempfile.mkdtemp(prefix="staff-bench-"))
    if engine == "sqlite":
        url = f"sqlite:///{tmp / 'hall.db'}"
    else:
        pg = TempPostgres().start()
        url = pg.create_database("bench")
    print(f"{engine}: {n:,} visits over {DAYS} days, {workers} worker(s)")
    populate(url, n)
    server = HallServerProcess(url, KIOSK_WORKERS=str(workers), KIOSK_RASA_URL="http://127.0.0.1:9",
                               KIOSK_SNAPSHOT_DIR=str(tmp / "snaps")).start(timeout=120)
    try:
        web = login(server.url)
        first, last = FIRST_DAY.isoformat(), (FIRST_DAY + timedelta(days=DAYS - 1)).isoformat()
        period = f"date_from={first}&date_to={last}"
        checks = [
            ("KPI page, whole period", f"/staff/review/kpis?{period}"),
            ("KPI JSON, whole period", f"/api/kpis?{period}"),
            ("KPI page, one day", f"/staff/review/kpis?date_from={last}&date_to={last}"),
            ("visit list, whole period", f"/staff/review?{period}"),
            ("visit list, filtered", f"/staff/review?{period}&business_type=pay_bill&corrected=yes"
                                     f"&greeting=late&low_rating=yes"),
            ("visit list, page 100", f"/staff/review?{period}&offset=4950"),
            ("visits JSON (50)", f"/api/visits?{period}"),
        ]
        web.get(f"{server.url}{checks[0][1]}", timeout=60)  # warm the caches once
        for name, path in checks:
            median, worst, size = timed(web, f"{server.url}{path}")
            print(f"  {name:28s} median {median * 1000:7.0f} ms   max {worst * 1000:7.0f} ms   ({size:,} bytes)")
    finally:
        server.stop()
        if pg is not None:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--visits", type=int, default=100_000)
    ap.add_argument("--pg-workers", type=int, default=3)
    args = ap.parse_args()
    for engine in args.engines.split(","):
        run_engine(engine, args.visits, 1 if engine == "sqlite" else args.pg_workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
