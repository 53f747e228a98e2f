"""Backups of the hall's SQLite database while it serves (SQLite's online backup API), restore, and retention.

A backup is one read transaction of the whole file, so it is consistent
however busy the hall is; in WAL mode the hall's writers carry on meanwhile.
It is written beside its target and renamed into place, so a backup file is
whole or absent. PostgreSQL halls use pg_dump and pg_restore (docs/operations.md).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from kiosk.db import WriterLock

PATTERN = "kiosk-*.db"


class BackupError(Exception):
    """The backup or restore cannot be made (the message says why)."""


def sqlite_file(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            f"{url.get_backend_name()}: back up with pg_dump and restore with pg_restore (docs/operations.md)"
        )
    return Path(url.database)


def target(path: Path, at: datetime) -> Path:
    """FILE itself, or in a folder a new file named for the time (UTC), so that names sort by age."""
    return path / f"kiosk-{at:%Y%m%d-%H%M%S-%f}.db" if path.is_dir() else path


def backup(database_url: str, path: Path, at: datetime, keep: int) -> tuple[Path, list[Path]]:
    """Copy the live database to `path` (a file, or a folder of backups of which `keep` stay).

    Returns the backup and the old backups deleted."""
    source = sqlite_file(database_url)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    out = target(path, at)
    partial = out.with_name(f".{out.name}.partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # all pages in one step: one read snapshot, writers are not held up (WAL)
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        dst.close()
        src.close()
    os.chmod(partial, 0o600)
    os.replace(partial, out)
    deleted = prune(out.parent, keep) if path.is_dir() else []
    return out, deleted


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups the folder's `backup` calls made."""
    old = sorted(folder.glob(PATTERN))[:-keep] if keep > 0 else []
    for f in old:
        f.unlink()
    return old


def restore(database_url: str, path: Path) -> Path:
    """Copy a backup over the hall's database; the hall's writers wait meanwhile (its writer lock)."""
    dest = sqlite_file(database_url)
    check = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        hall = check.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a hall database: {exc}") from exc
    finally:
        check.close()
    if not ok or hall is None:
        raise BackupError(f"{path} is not a whole hall database")
    dest.parent.mkdir(parents=True, exist_ok=True)
    lock = WriterLock(f"{dest}.writer")
    lock.acquire()
    try:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        dst = sqlite3.connect(dest, timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    finally:
        lock.release()
    return dest
