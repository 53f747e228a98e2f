"""Event to tablet: a kiosk's triage reaching 20 connected guide tablets, on SQLite and PostgreSQL.

Run from the repository root:

    .venv/bin/python bench/staff_live.py                       # both engines, 20 tablets, 40 triages
    .venv/bin/python bench/staff_live.py --engines postgresql --workers 3 --tablets 20 --events 60

The real server runs as deployed (`python -m kiosk serve`): SQLite in one
worker process, PostgreSQL with several (KIOSK_WORKERS), so tablets sit on
different processes from the one that writes the triage. Each tablet is an
SSE client on the `guide` channel with a guide's token that, like the
tablet page, fetches the new triage's card when a `triage` event arrives. A
kiosk (device token, touch menu since no assistant runs) starts a session
and picks a business type every half second; that request writes the
triage and its ticket. Measured per tablet and triage, from the moment the
kiosk sent its request:

- event: the `triage` event arrived on the tablet's stream;
- tablet: the tablet has fetched its card (GET /api/triages/<id>), as the page does.

Prints p50/p95/max of both; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from kiosk.db import make_engine, make_sessionmaker  # noqa: E402
from kiosk.hall import accounts  # noqa: E402
from kiosk.migrate import upgrade  # noqa: E402
from kiosk.speech.announcer import sse_events  # noqa: E402
from tests.support.pg import TempPostgres  # noqa: E402
from tests.support.server import HallServerProcess  # noqa: E402

DEVICE = "bench-device-token"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Tablet(threading.Thread):
    def __init__(self, base: str, token: str):
        super().__init__(daemon=True)
        self.base, self.headers = base, {"Authorization": f"Bearer {token}"}
        self.event_at: dict[int, float] = {}
        self.listed_at: dict[int, float] = {}
        self.connected = threading.Event()
        self.stop = threading.Event()
        self.web = requests.Session()

    def run(self) -> None:
        try:
            self._follow()
        except requests.RequestException:
            if not self.stop.is_set():
                raise

    def _follow(self) -> None:
        with requests.get(f"{self.base}/api/stream?channel=guide", headers=self.headers,
                          stream=True, timeout=(5, 60)) as r:
            r.encoding = "utf-8"
            lines = r.iter_lines(decode_unicode=True)
            for line in lines:  # the server's ": connected" comment
                if line.startswith(": connected"):
                    self.connected.set()
                    break
            for _id, kind, data in sse_events(lines):
                if self.stop.is_set():
                    return
                if kind != "triage":
                    continue
                now = time.perf_counter()
                triage_id = json.loads(data)["id"]
                self.event_at[triage_id] = now
                card = self.web.get(f"{self.base}/api/triages/{triage_id}", headers=self.headers, timeout=10)
                if card.ok and card.json()["status"] == "pending":
                    self.listed_at[triage_id] = time.perf_counter()


def run_engine(engine: str, workers: int, n_tablets: int, n_events: int, gap_s: float) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="staff-live-"))
    pg = None
    if engine == "sqlite":
        url = f"sqlite:///{tmp / 'hall.db'}"
    else:
        pg = TempPostgres().start()
        url = pg.create_database("bench")
    db = make_engine(url)
    upgrade(db)
    with make_sessionmaker(db)() as s, s.begin():
        _user, token = accounts.create_user(s, "bench-guide", "guide", "password-123")
    db.dispose()
    server = HallServerProcess(url, KIOSK_DEVICE_TOKEN=DEVICE, KIOSK_WORKERS=str(workers),
                               KIOSK_RASA_URL="http://127.0.0.1:9", KIOSK_RASA_TIMEOUT_S="0.2",
                               KIOSK_SNAPSHOT_DIR=str(tmp / "snaps")).start(timeout=120)
    try:
        tablets = [Tablet(server.url, token) for _ in range(n_tablets)]
        for tab in tablets:
            tab.start()
        for tab in tablets:
            if not tab.connected.wait(20):
                raise RuntimeError("a tablet did not connect")
        kiosk = requests.Session()
        device = {"Authorization": f"Bearer {DEVICE}"}
        sent: dict[int, float] = {}
        types = ["pay_bill", "bill_inquiry", "invoice", "name_transfer", "tariff_change"]
        for i in range(n_events):
            session = kiosk.post(f"{server.url}/api/kiosk/sessions", json={"device_id": "kiosk-1"},
                                 headers=device, timeout=10).json()
            t0 = time.perf_counter()
            turn = kiosk.post(f"{server.url}/api/kiosk/sessions/{session['id']}/messages",
                              json={"payload": f"/{types[i % len(types)]}"}, headers=device, timeout=10).json()
            sent[turn["triage"]["id"]] = t0
            time.sleep(gap_s)
        time.sleep(2.0)
        for tab in tablets:
            tab.stop.set()
        event_lat, list_lat, missing = [], [], 0
        for tab in tablets:
            for triage_id, t0 in sent.items():
                if triage_id in tab.event_at:
                    event_lat.append(tab.event_at[triage_id] - t0)
                else:
                    missing += 1
                if triage_id in tab.listed_at:
                    list_lat.append(tab.listed_at[triage_id] - t0)
        print(f"{engine}: {workers} worker process(es), {n_tablets} tablets, {n_events} triages "
              f"({len(event_lat)} deliveries, {missing} missing)")
        for name, lat in (("event on the stream", event_lat), ("card on the tablet", list_lat)):
            if lat:
                print(f"  {name:22s} p50 {statistics.median(lat) * 1000:6.0f} ms   "
                      f"p95 {pct(lat, 0.95) * 1000:6.0f} ms   max {max(lat) * 1000:6.0f} ms")
    finally:
        server.stop()
        if pg is not None:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--workers", type=int, default=3, help="worker processes on PostgreSQL")
    ap.add_argument("--tablets", type=int, default=20)
    ap.add_argument("--events", type=int, default=40)
    ap.add_argument("--gap", type=float, default=0.5, help="seconds between two kiosk triages")
    args = ap.parse_args()
    for engine in args.engines.split(","):
        run_engine(engine, 1 if engine == "sqlite" else args.workers, args.tablets, args.events, args.gap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
