"""How long the hall server takes to start: `python -m kiosk serve` until /healthz answers.

    .venv/bin/python bench/server_start.py [--runs 5] [--workers 1]

Starts the real server (as the tests' HallServerProcess and `make run` do) on a
new SQLite database each time, and prints each start and the median. Every
server-backed test pays one start, and so does a hall after each restart.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.server import HallServerProcess  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    took = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.runs):
            began = time.monotonic()
            server = HallServerProcess(
                f"sqlite:///{tmp}/hall{n}.db", KIOSK_WORKERS=str(args.workers), KIOSK_SECRET_KEY="bench-" * 6
            ).start()
            took.append(time.monotonic() - began)
            server.stop()
            print(f"start {n + 1}: {took[-1]:.2f} s", flush=True)
    print(
        f"server start to /healthz: median {statistics.median(took):.2f} s over {args.runs} starts "
        f"({args.workers} worker{'s' if args.workers > 1 else ''})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
