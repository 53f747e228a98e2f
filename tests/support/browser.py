"""Headless Chromium for page tests and benchmarks: the system chromium, never a downloaded one."""
from __future__ import annotations

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# background networking off: this machine's closed network refuses those connections
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/system-deps.sh")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
