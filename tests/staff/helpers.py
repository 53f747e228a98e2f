"""Building hall state for the staff tests straight through the domain (as the kiosk would), or its API."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import requests
from sqlalchemy.orm import Session, sessionmaker

from kiosk.db import make_engine, make_sessionmaker
from kiosk.hall import accounts, duty, taxonomy, tickets, triage, visits
from kiosk.hall.context import Hall
from kiosk.models import AppointmentSlot, Counter
from kiosk.settings import Settings


@dataclass
class HallDb:
    sessions: sessionmaker[Session]
    hall: Hall


def of_app(app) -> HallDb:
    return HallDb(app.extensions["sessions"], app.extensions["hall"])


def at_url(url: str) -> HallDb:
    """The database a server subprocess uses, opened from the test (the server made its tables)."""
    return HallDb(make_sessionmaker(make_engine(url)),
                  Hall(taxonomy=taxonomy.load(Settings().business_types_file)))


def kiosk_triage(h: HallDb, business_type: str, text: str, confidence: float = 0.9, *,
                 ticket: bool = True, priority: bool = False, at: datetime | None = None) -> dict:
    """A visit whose dialog produced a pending triage (and its ticket), as a kiosk session does."""
    with h.sessions() as s, s.begin():
        visit = visits.open_visit(s, device_id="kiosk-1", track_id=None, at=at)
        visits.record(s, visit, "dialog_turn", {"text": text, "bot": ["好的，请稍等"]}, at=at)
        made = triage.record(s, visit, business_type, confidence, text, source="assistant", at=at)
        t = tickets.issue(s, h.hall, business_type, priority=priority, visit=visit, at=at) if ticket else None
        return {"visit_id": visit.id, "triage_id": made.id,
                "ticket_id": t.id if t else None, "number": t.number if t else None}


def open_counter(h: HallDb, counter_id: int, queues: list[str]) -> None:
    with h.sessions() as s, s.begin():
        c = s.get(Counter, counter_id)
        c.is_open, c.queues = True, queues


def make_user(h: HallDb, name: str, role: str, password: str = "password-123") -> str:
    """Creates the account; returns its API token."""
    with h.sessions() as s, s.begin():
        return accounts.create_user(s, name, role, password)[1]


def desk_account(h: HallDb, username: str, staff: str) -> None:
    """A back-office account for the duty roster's `staff` (its desk page)."""
    with h.sessions() as s, s.begin():
        accounts.create_user(s, username, "backoffice", "password-123", staff=duty.by_name(s, staff))


def kiosk_turn(server, payload: str) -> dict:
    """A kiosk-1 dialog session through the server's API, and one tap on a button: the turn's answer."""
    session = requests.post(f"{server.url}/api/kiosk/sessions", json={"device_id": "kiosk-1"},
                            headers=server.device_headers, timeout=10).json()
    return requests.post(f"{server.url}/api/kiosk/sessions/{session['id']}/messages", json={"payload": payload},
                         headers=server.device_headers, timeout=10).json()


def check_in_open() -> datetime:
    """A slot start for which check-in is open now (the window opens 30 min before it) on the hall's
    service day of now: in ten minutes, or just before midnight (Asia/Shanghai) if that crosses into the
    next day, where check-in would be refused as "another day". In the minute before midnight it waits
    for the new day."""
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime.now(timezone.utc)
    midnight = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), datetime.min.time(), tz)
    if midnight - now < timedelta(minutes=1):
        time.sleep((midnight - now).total_seconds() + 1)
        return check_in_open()
    return min(now + timedelta(minutes=10), midnight - timedelta(seconds=30)).replace(microsecond=0)


def booking_at(server, h: HallDb, start: datetime, phone: str, business_type: str = "capacity_change") -> dict:
    """A booking through the server's API, in an hour-long slot made for it at `start` (check_in_open(): check-in
    is open); the booking's answer."""
    with h.sessions() as s, s.begin():
        slot = AppointmentSlot(business_type=business_type, start=start, end=start + timedelta(hours=1),
                               capacity=3, booked=0)
        s.add(slot)
        s.flush()
        slot_id = slot.id
    booked = requests.post(f"{server.url}/api/appointments", headers=server.device_headers, timeout=5,
                           json={"slot_id": slot_id, "business_type": business_type, "name": "钱七",
                                 "phone": phone})
    assert booked.status_code == 201, booked.text
    return booked.json()


def generate_day(h: HallDb, day: str, n: int = 60, seed: int = 7) -> dict:
    """A day of visits through the domain, with every figure the KPIs report kept on the side.

    Returns what was generated (not read back), so the test can compute the KPIs on its own.
    """
    import random
    from datetime import date as date_, time as time_, timedelta
    from zoneinfo import ZoneInfo

    from kiosk.hall import triage_review
    from kiosk.models import Appointment, AppointmentSlot, Ticket

    rnd = random.Random(seed)
    tz = ZoneInfo(h.hall.tz)
    base = datetime.combine(date_.fromisoformat(day), time_(8, 30), tz)
    types = ["pay_bill", "bill_inquiry", "invoice", "name_transfer", "tariff_change", "meter_issue",
             "new_connection_residential"]
    gen: dict = {"visits": [], "tickets": [], "triages": [], "appointments": []}
    with h.sessions() as s, s.begin():
        for i in range(n):
            at = base + timedelta(minutes=rnd.randint(0, 8 * 60), seconds=rnd.randint(0, 59))
            v = {"at": at, "approached": rnd.random() < 0.9, "near": False, "latency": None, "rating": None}
            visit = visits.open_visit(s, device_id="kiosk-1", track_id=f"t{i}", at=at)
            if v["approached"]:
                visits.record(s, visit, "approach", {"distance_m": 2.9}, at=at)
                # some stop short of the greeting distance (2 m), some come near and are greeted, or not
                v["near"] = rnd.random() < 0.75
                if v["near"] and rnd.random() < 0.85:
                    v["latency"] = rnd.randint(80, 1500)
                    visits.record(s, visit, "greeted", {"latency_ms": v["latency"], "distance_m": 1.9},
                                  at=at + timedelta(seconds=2))
                visits.record(s, visit, "left", {"nearest_m": 1.4 if v["near"] else 2.6},
                              at=at + timedelta(minutes=20))
            bt = rnd.choice(types)
            conf = round(rnd.uniform(0.4, 0.99), 3)
            t_at = at + timedelta(seconds=40)
            visits.record(s, visit, "dialog_turn", {"text": f"我想办{bt}，电话1380013{i:04d}"}, at=t_at)
            tr = triage.record(s, visit, bt, conf, f"我想办{bt}", source="assistant", at=t_at)
            issued = at + timedelta(minutes=1)
            ticket = tickets.issue(s, h.hall, bt, visit=visit, at=issued)
            decision = rnd.choice(["confirmed", "corrected", "pending"])
            final = bt
            if decision == "confirmed":
                triage_review.confirm(s, tr, actor="g", at=issued + timedelta(seconds=20))
            elif decision == "corrected":
                final = rnd.choice([x for x in types if x != bt])
                triage_review.correct(s, h.hall, tr, final, actor="g", at=issued + timedelta(seconds=20))
            gen["triages"].append({"predicted": bt, "status": decision})
            if rnd.random() < 0.8:  # called, served
                wait_s = rnd.randint(60, 40 * 60)
                quoted = round(rnd.uniform(0, 30), 1)
                t: Ticket = s.get(Ticket, ticket.id)
                t.quoted_wait_min = quoted
                t.status, t.called_at = "done", issued + timedelta(seconds=wait_s)
                t.finished_at = t.called_at + timedelta(minutes=5)
                gen["tickets"].append({"queue": h.hall.business_type(final).queue, "wait_min": wait_s / 60,
                                       "quoted": quoted})
            if rnd.random() < 0.5:
                v["rating"] = rnd.randint(1, 5)
                visits.record(s, visit, "rating", {"rating": v["rating"]}, at=at + timedelta(minutes=30))
            gen["visits"].append(v)
        slot = AppointmentSlot(business_type="capacity_change", start=base + timedelta(days=2),
                               end=base + timedelta(days=2, hours=1), capacity=5, booked=0)
        s.add(slot)
        s.flush()
        for j, status in enumerate(["booked", "no_show", "cancelled"]):
            s.add(Appointment(code=f"GEN{j}{seed:02d}", slot_id=slot.id, business_type="capacity_change",
                              name="客户", phone="13800000000", status=status,
                              created_at=base + timedelta(hours=j)))
            gen["appointments"].append(status)
    return gen


def nearest_rank(values: list[float], q: float) -> float:
    """The KPIs' quantile: the value at rank round(q·(n−1)) of the sorted values (no interpolation)."""
    return float(sorted(values)[int(round(q * (len(values) - 1)))])


def expected_kpis(gen: dict, tz: str, target_min: float = 15.0, late_ms: int = 500) -> dict:
    """The KPIs of a generated day, computed here without the server's code."""
    import numpy as np
    from zoneinfo import ZoneInfo

    vs = gen["visits"]
    hours = [0] * 24
    for v in vs:
        hours[v["at"].astimezone(ZoneInfo(tz)).hour] += 1
    approached = [v for v in vs if v["approached"]]
    near = [v for v in approached if v["near"]]
    greeted = [v for v in near if v["latency"] is not None]
    lat = [v["latency"] for v in vs if v["latency"] is not None]
    waits: dict[str, list[float]] = {}
    for t in gen["tickets"]:
        waits.setdefault(t["queue"], []).append(t["wait_min"])
    all_waits = [w for t in gen["tickets"] for w in [t["wait_min"]]]
    errors = [t["quoted"] - t["wait_min"] for t in gen["tickets"]]
    acc: dict[str, dict] = {}
    for tr in gen["triages"]:
        if tr["status"] != "pending":
            acc.setdefault(tr["predicted"], {"confirmed": 0, "corrected": 0})[tr["status"]] += 1
    ratings = [v["rating"] for v in vs if v["rating"]]
    return {
        "visits": len(vs),
        "arrivals_per_hour": {f"{h:02d}": n for h, n in enumerate(hours)},
        "wait_by_queue": {q: {"tickets": len(w), "mean_min": float(np.mean(w)),
                              "p90_min": nearest_rank(w, 0.9)} for q, w in waits.items()},
        "within": sum(1 for w in all_waits if w <= target_min) / len(all_waits),
        "approached": len(approached), "within_2m": len(near), "greeted": len(greeted),
        "compliance": len(greeted) / len(near),
        "latency_mean": float(np.mean(lat)), "latency_p95": nearest_rank(lat, 0.95),
        "late": sum(1 for x in lat if x > late_ms),
        "accuracy": {bt: c["confirmed"] / (c["confirmed"] + c["corrected"]) for bt, c in acc.items()},
        "counts": acc,
        "quoted_abs": float(np.mean(np.abs(errors))), "quoted_signed": float(np.mean(errors)),
        "appointments": {k: gen["appointments"].count(k) for k in ("booked", "checked_in", "no_show", "cancelled")},
        "ratings": {str(k): ratings.count(k) for k in range(1, 6)},
        "rating_mean": float(np.mean(ratings)),
    }
