"""The supervisor's pages over 100,000 visits: KPIs, the visit list and search, the staff scorecards,
on SQLite and PostgreSQL.

Run from the repository root:

    .venv/bin/python bench/staff_reports.py                      # both engines, 100,000 visits
    .venv/bin/python bench/staff_reports.py --engines sqlite --visits 20000

Visits are bulk-inserted over 90 days with what a busy hall records beside
them: tickets served at six counters by eight counter accounts (waits,
handling times, no-shows, transfers in the audit log with every call and
done), ratings and the follow-up cases of the poor ones, appointments with
codes and phone numbers, two guides on two shifts a day who decide the
triages and answer the alerts, hand-overs to the back office (accepted
at a desk, or a call-back its account works). The real
server (`python -m kiosk serve`) then answers a logged-in supervisor's
requests: the KPI page, the visit list with filters, the searches (ticket
number, appointment code, phone's last digits, counter, who served, time
window, low rating, case), the staff report (JSON, page, CSV) and a visit's
evidence pack (PDF). Each request is timed end-to-end over HTTP, five
times; prints median and max. Asserts nothing.
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
from sqlalchemy import insert, select  # noqa: E402

from kiosk.db import make_engine  # noqa: E402
from kiosk.hall import accounts, seed, taxonomy  # noqa: E402
from kiosk.hall.context import Hall  # noqa: E402
from kiosk.migrate import upgrade  # noqa: E402
from kiosk.models import (  # noqa: E402
    Appointment,
    AppointmentSlot,
    AuditEntry,
    Callback,
    Case,
    DutyStaff,
    GuideAlert,
    Handover,
    Rating,
    StaffShift,
    Ticket,
    Triage,
    Visit,
)
from kiosk.settings import Settings  # noqa: E402
from tests.support.pg import TempPostgres  # noqa: E402
from tests.support.server import HallServerProcess  # noqa: E402

DAYS = 90
FIRST_DAY = date(2026, 8, 1)


COUNTER_STAFF = 8
GUIDES = 4


def staff(engine, tax) -> dict[str, list]:
    """The hall's counters and back-office roster (config/hall.yml), and its accounts: counter staff,
    guides (two a shift), a back-office account at each roster person's desk and the bench's supervisor."""
    from sqlalchemy.orm import Session

    made: dict[str, list] = {"counter": [], "guide": [], "backoffice": []}
    with engine.begin() as conn, Session(bind=conn) as s:
        seed.apply(s, Hall(taxonomy=tax), {k: v for k, v in seed.read_plan(Settings().hall_file).items()
                                           if k != "appointments"})
        accounts.create_user(s, "bench-sup", "supervisor", "password-123")
        for role, count in (("counter", COUNTER_STAFF), ("guide", GUIDES)):
            for k in range(count):
                made[role].append(accounts.create_user(s, f"{role}{k}", role, "password-123")[0].id)
        for person in s.scalars(select(DutyStaff).order_by(DutyStaff.id)):
            accounts.create_user(s, f"desk{person.id}", "backoffice", "password-123", staff=person)
            made["backoffice"].append((person.id, f"desk{person.id}", list(person.business_types)))
        s.flush()
    return made


def shifts(day: date, tz, guides: list[int]) -> list[dict]:
    """Two guides in the morning, two in the afternoon, turn about by day."""
    pair = [guides[(day.toordinal() + k) % len(guides)] for k in range(4)]
    return [{"user_id": u, "started_at": datetime.combine(day, start, tz).astimezone(timezone.utc),
             "ended_at": datetime.combine(day, end, tz).astimezone(timezone.utc)}
            for u, (start, end) in zip(pair, [(time_(8, 30), time_(12, 30))] * 2 + [(time_(13, 30), time_(17, 30))] * 2)]


def populate(url: str, n: int, seed: int = 1) -> dict:
    """Insert n visits with everything beside them; returns what the searches look for."""
    engine = make_engine(url)
    upgrade(engine)
    tax = taxonomy.load(Settings().business_types_file)
    types = list(tax.types)
    tz = ZoneInfo("Asia/Shanghai")
    rnd = random.Random(seed)
    people = staff(engine, tax)
    started = time.perf_counter()
    probe: dict = {}
    with engine.begin() as conn:
        slot = conn.execute(insert(AppointmentSlot).returning(AppointmentSlot.id), {
            "business_type": "capacity_change", "desk": "", "start": datetime(2026, 7, 1, tzinfo=timezone.utc),
            "end": datetime(2026, 7, 1, 1, tzinfo=timezone.utc), "capacity": n, "booked": 0}).scalar_one()
        conn.execute(insert(StaffShift), [x for d in range(DAYS) for x in shifts(FIRST_DAY + timedelta(days=d), tz,
                                                                                   people["guide"])])
        for chunk in range(0, n, 10_000):
            visits, tickets, triages, ratings, cases, appts, audit, alerts, handovers, callbacks = (
                [] for _ in range(10))
            for i in range(chunk, min(n, chunk + 10_000)):
                day = FIRST_DAY + timedelta(days=i * DAYS // n)
                at = datetime.combine(day, time_(8, 30), tz) + timedelta(seconds=rnd.randint(0, 8 * 3600))
                at = at.astimezone(timezone.utc)
                bt = rnd.choice(types)
                approached = rnd.random() < 0.9
                nearest = round(rnd.uniform(1.0, 2.9), 2) if approached else None
                greeted = approached and nearest <= 2.0 and rnd.random() < 0.9
                status = rnd.choice(["confirmed", "confirmed", "corrected", "pending"])
                visits.append({"id": i + 1, "device_id": "kiosk-1", "track_id": str(i), "started_at": at,
                               "ended_at": at + timedelta(minutes=30), "business_type": bt,
                               "outcome": rnd.choice(["ticket"] * 6 + ["appointment", "handover", "guide", "left"]),
                               "greeted": greeted, "approached": approached,
                               "greeting_latency_ms": rnd.randint(80, 1500) if greeted else None,
                               "triage_confidence": round(rnd.uniform(0.3, 1.0), 3),
                               "corrected": status == "corrected", "rating": None, "language": "zh",
                               "nearest_m": nearest})
                on_shift = shifts(day, tz, people["guide"])[0 if at.astimezone(tz).hour < 13 else 2]["user_id"]
                decided = at + timedelta(seconds=60)
                triages.append({"visit_id": i + 1, "text": "我想办业务", "business_type": bt,
                                "confidence": visits[-1]["triage_confidence"], "source": "assistant",
                                "status": status, "created_at": at + timedelta(seconds=40),
                                "decided_by": None if status == "pending" else on_shift,
                                "decided_at": None if status == "pending" else decided})
                if rnd.random() < 0.03:
                    alerts.append({"reason": "asked_for_human", "text": "", "visit_id": i + 1, "created_at": at,
                                   "resolved_at": at + timedelta(seconds=rnd.randint(10, 300)),
                                   "resolved_by": on_shift})
                if rnd.random() < 0.02:
                    desk, account, takes = rnd.choice(people["backoffice"])
                    accepted = rnd.random() < 0.8
                    handovers.append({"business_type": takes[0], "staff_id": desk, "visit_id": i + 1,
                                      "created_at": at, "offered_at": at,
                                      "status": "accepted" if accepted else "unanswered",
                                      "accepted_at": at + timedelta(seconds=rnd.randint(5, 90)) if accepted else None,
                                      "meet": "kiosk" if accepted else None, "urgent": False, "tried": [],
                                      "text": ""})
                    if not accepted:
                        worked = rnd.random() < 0.7
                        callbacks.append({"business_type": takes[0], "name": "客户",
                                          "phone": f"139{rnd.randint(0, 99999999):08d}",
                                          "status": "done" if worked else "open", "created_at": at,
                                          "updated_at": at + timedelta(hours=2) if worked else at,
                                          "updated_by": account if worked else None, "visit_id": i + 1,
                                          "language": "zh"})
                if rnd.random() < 0.05:
                    appts.append({"code": f"Q{i:07d}", "slot_id": slot, "business_type": "capacity_change",
                                  "name": "客户", "phone": f"139{rnd.randint(0, 99999999):08d}", "status": "served",
                                  "created_at": at, "visit_id": i + 1})
                if rnd.random() < 0.8:
                    issued = at + timedelta(minutes=1)
                    called = issued + timedelta(seconds=rnd.randint(60, 2400))
                    counter = rnd.randint(1, 6)
                    server = people["counter"][(counter + day.toordinal()) % COUNTER_STAFF]
                    fate = rnd.random()
                    status = "done" if fate < 0.94 else "no_show" if fate < 0.98 else "waiting"
                    handled = rnd.randint(120, 900)
                    number = f"{tax.types[bt].queue}{i:07d}"
                    tickets.append({"id": i + 1, "service_day": day, "number": number,
                                    "queue": tax.types[bt].queue, "business_type": bt, "priority": False,
                                    "status": status, "issued_at": issued, "order_at": issued,
                                    "called_at": None if status == "waiting" else called,
                                    "wait_s": None if status == "waiting" else int((called - issued).total_seconds()),
                                    "finished_at": None if status == "waiting" else called + timedelta(seconds=handled),
                                    "service_s": handled if status == "done" else None,
                                    "counter_id": None if status == "waiting" else counter,
                                    "served_by": None if status == "waiting" else server, "recalls": 0,
                                    "quoted_wait_min": round(rnd.uniform(0, 30), 1), "language": "zh",
                                    "visit_id": i + 1})
                    probe.setdefault("ticket", (number, day))
                    who = f"counter{people['counter'].index(server)}"
                    audit.append({"at": called, "actor": who, "action": "ticket.called",
                                  "target": f"ticket:{i + 1}", "details": {}})
                    audit.append({"at": called + timedelta(seconds=handled), "actor": who,
                                  "action": "ticket.transferred" if status == "waiting" else f"ticket.{status}",
                                  "target": f"ticket:{i + 1}", "details": {}})
                    if status == "done" and rnd.random() < 0.4:
                        rating = rnd.choices([1, 2, 3, 4, 5], [4, 4, 12, 30, 50])[0]
                        visits[-1]["rating"] = rating
                        rated = called + timedelta(seconds=handled + 30)
                        ratings.append({"ticket_id": i + 1, "visit_id": i + 1, "counter_id": counter,
                                        "served_by": server, "rating": rating, "comment": "", "source": "pad",
                                        "created_at": rated})
                        if rating <= 2:
                            cases.append({"visit_id": i + 1, "ticket_id": i + 1, "origin": "rating",
                                          "reason": "low_rating", "account": "", "status": "open",
                                          "opened_at": rated, "finding": ""})
            probe.setdefault("appointment", appts[0]["code"])
            probe.setdefault("phone4", appts[0]["phone"][-4:])
            for model, rows in ((Visit, visits), (Ticket, tickets), (Triage, triages), (Rating, ratings),
                                (Case, cases), (Appointment, appts), (AuditEntry, audit), (GuideAlert, alerts),
                                (Handover, handovers), (Callback, callbacks)):
                if rows:
                    conn.execute(insert(model), rows)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            for table in ("visits", "tickets"):
                conn.exec_driver_sql(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    probe["counter_staff"] = people["counter"][0]
    print(f"  inserted {n:,} visits in {time.perf_counter() - started:.1f} s")
    return probe


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
    probe = populate(url, n)
    server = HallServerProcess(url, KIOSK_WORKERS=str(workers), KIOSK_RASA_URL="http://127.0.0.1:9",
                               KIOSK_SNAPSHOT_DIR=str(tmp / "snaps")).start(timeout=120)
    try:
        web = login(server.url)
        first, last = FIRST_DAY.isoformat(), (FIRST_DAY + timedelta(days=DAYS - 1)).isoformat()
        period = f"date_from={first}&date_to={last}"
        number, day = probe["ticket"]
        staff_period = f"from={first}&to={last}"
        checks = [
            ("staff report JSON, 90 days", f"/api/reports/staff?{staff_period}"),
            ("staff report page, 90 days", f"/staff/review/staff?{staff_period}"),
            ("staff report CSV, 90 days", f"/api/reports/staff.csv?{staff_period}"),
            ("staff report JSON, one day", f"/api/reports/staff?from={last}&to={last}"),
            ("search: ticket number + day", f"/api/visits?ticket={number}&day={day}"),
            ("search: appointment code", f"/api/visits?appointment={probe['appointment']}"),
            ("search: phone's last 4, 90 d", f"/api/visits?{period}&phone4={probe['phone4']}"),
            ("search: counter, 90 days", f"/api/visits?{period}&counter=3"),
            ("search: who served, 90 days", f"/api/visits?{period}&staff={probe['counter_staff']}"),
            ("search: time window, 90 d", f"/api/visits?{period}&time_from=10:00&time_to=11:30"),
            ("search: rating <= 2, 90 days", f"/api/visits?{period}&low_rating=true"),
            ("search: open case, 90 days", f"/api/visits?{period}&case=open"),
            ("search page: counter+staff", f"/staff/review?{period}&counter=3&staff={probe['counter_staff']}"),
            ("evidence pack (PDF)", "/api/visits/1/report.pdf"),
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
