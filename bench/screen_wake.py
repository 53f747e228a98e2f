"""Screen wake: from the agent's approach event to the kiosk screen showing its greeting.

Run from the repository root:

    .venv/bin/python bench/screen_wake.py                 # 40 trials, SQLite
    .venv/bin/python bench/screen_wake.py --trials 60 --engine postgresql

It starts the real hall server (`python -m kiosk serve`) on a throw-away
database and the kiosk screen in headless Chromium (the system chromium),
then, per trial, POSTs an `approach` event for a new track exactly as the
agent does and reads the moment the page drew its greeting: the page stamps
`data-awake-at` (epoch ms, from the animation frame after it switched to
the greeting) and the bench compares it with the wall-clock time taken just
before the POST. Both clocks are the same machine's. Between trials the page
goes back to idle by its own inactivity timeout. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import browser as chromium  # noqa: E402
from tests.support.server import HallServerProcess  # noqa: E402

TOKEN = "bench-device-token"
TARGET_P95_MS = 300


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def run(server: HallServerProcess, trials: int, device: str) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    wake_ms: list[float] = []
    post_ms: list[float] = []
    with sync_playwright() as p:
        browser = chromium.launch(p)
        page = browser.new_page(viewport={"width": 1080, "height": 1920})
        page.goto(f"{server.url}/kiosk?device={device}&idle=2&greet=0.3#token={TOKEN}")
        page.wait_for_selector('#live[data-live="1"]', timeout=30_000)
        for trial in range(trials + 1):  # trial 0 warms up the server's stream and the page
            page.wait_for_selector('body[data-state="idle"]', timeout=30_000)
            time.sleep(0.2)
            before = page.evaluate("document.body.dataset.awakeAt || ''")
            t0 = time.time() * 1000
            r = requests.post(f"{server.url}/api/visits/events",
                              headers={"Authorization": f"Bearer {TOKEN}"},
                              json={"kind": "approach", "device_id": device, "track_id": f"b{trial}",
                                    "at": datetime.now(timezone.utc).isoformat(), "distance_m": 2.9},
                              timeout=10)
            t1 = time.time() * 1000
            r.raise_for_status()
            deadline = time.monotonic() + 10
            awake = before
            while awake == before and time.monotonic() < deadline:
                awake = page.evaluate("document.body.dataset.awakeAt || ''")
                if awake == before:
                    time.sleep(0.005)
            if awake == before:
                print(f"trial {trial}: the screen did not wake within 10 s", file=sys.stderr)
                continue
            if trial == 0:
                continue
            wake_ms.append(float(awake) - t0)
            post_ms.append(t1 - t0)
        browser.close()
    return wake_ms, post_ms


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args()
    if args.trials < 1:
        ap.error("--trials must be at least 1")
    if not Path(chromium.CHROMIUM).exists():
        print(f"{chromium.CHROMIUM} is missing: run scripts/system-deps.sh", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        pg = None
        if args.engine == "postgresql":
            from tests.support.pg import TempPostgres

            pg = TempPostgres().start()
            url = pg.create_database("bench_wake")
        else:
            url = f"sqlite:///{tmp}/hall.db"
        server = HallServerProcess(url, KIOSK_DEVICE_TOKEN=TOKEN, KIOSK_RASA_URL="http://127.0.0.1:9",
                                   KIOSK_PRINTER=f"file:{tmp}/printer.out",
                                   KIOSK_SNAPSHOT_DIR=f"{tmp}/snapshots").start()
        try:
            wake, post = run(server, args.trials, "bench-kiosk")
        finally:
            server.stop()
            if pg is not None:
                pg.stop()
    if not wake:
        print("no trial woke the screen")
        return 1
    p95 = pct(wake, 95)
    print(f"screen wake, approach event POST -> greeting drawn ({args.engine}, {len(wake)} trials)")
    print(f"  p50 {pct(wake, 50):6.1f} ms   p95 {p95:6.1f} ms   max {max(wake):6.1f} ms   "
          f"mean {statistics.fmean(wake):6.1f} ms")
    print(f"  of which the POST itself: p50 {pct(post, 50):.1f} ms, p95 {pct(post, 95):.1f} ms")
    print(f"  target p95 <= {TARGET_P95_MS} ms: {'met' if p95 <= TARGET_P95_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
