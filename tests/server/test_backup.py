"""`python -m kiosk backup` while tickets are being issued gives a consistent copy; `restore` brings it back."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading

import requests

from tests.support.server import ROOT, HallServerProcess


def kiosk(db_file, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "KIOSK_DATABASE_URL": f"sqlite:///{db_file}", **env})


def test_backup_during_ticket_traffic_restores_a_consistent_hall(tmp_path):
    live = tmp_path / "hall.db"
    server = HallServerProcess(f"sqlite:///{live}", KIOSK_WORKERS="2").start()
    issued: list[dict] = []
    stop = threading.Event()

    def traffic() -> None:
        with requests.Session() as http:
            while not stop.is_set():
                r = http.post(f"{server.url}/api/tickets", json={"business_type": "pay_bill"},
                              headers=server.device_headers, timeout=30)
                assert r.status_code == 201
                issued.append(r.json())

    backups = tmp_path / "backups"
    backups.mkdir()
    senders = [threading.Thread(target=traffic) for _ in range(3)]
    try:
        for t in senders:
            t.start()
        while len(issued) < 20:
            stop.wait(0.05)
        made = [kiosk(live, "backup", str(backups), "--keep", "2") for _ in range(3)]
        during = len(issued)
    finally:
        stop.set()
        for t in senders:
            t.join()
        server.stop()
    assert [m.returncode for m in made] == [0, 0, 0], [m.stderr for m in made]
    assert len(issued) > during  # tickets kept coming while the backups ran
    kept = sorted(backups.glob("kiosk-*.db"))
    assert len(kept) == 2 and "deleted the old backup" in made[2].stdout  # retention: the newest two
    copy = kept[-1]
    assert copy.stat().st_mode & 0o777 == 0o600

    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT id, number FROM tickets ORDER BY id").fetchall()
        last = db.execute("SELECT last_number FROM ticket_sequences WHERE queue = 'A'").fetchone()[0]
    by_id = {t["id"]: t["number"] for t in issued}
    assert 0 < len(rows) < len(issued)
    assert all(by_id[i] == number for i, number in rows)  # every ticket in the copy was issued as it says
    assert last == len(rows)  # the queue's counter and its tickets from one moment: no number lost or doubled

    restored = tmp_path / "restored.db"
    done = kiosk(restored, "restore", str(copy))
    assert done.returncode == 0, done.stderr
    server = HallServerProcess(f"sqlite:///{restored}").start()
    try:
        first_id, first_number = rows[0]
        assert requests.get(f"{server.url}/api/tickets/{first_id}", headers=server.device_headers,
                            timeout=10).json()["number"] == first_number
        nxt = requests.post(f"{server.url}/api/tickets", json={"business_type": "pay_bill"},
                            headers=server.device_headers, timeout=10).json()
        assert nxt["number"] == f"A{last + 1:03d}"  # numbering goes on from the copy
    finally:
        server.stop()


def test_backup_and_restore_say_what_is_wrong(tmp_path):
    pg = kiosk("x", "backup", str(tmp_path / "b.db"), KIOSK_DATABASE_URL="postgresql+psycopg://h/db")
    assert pg.returncode == 2 and "pg_dump" in pg.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    bad = kiosk(tmp_path / "hall.db", "restore", str(junk))
    assert bad.returncode == 2 and "not a hall database" in bad.stderr
