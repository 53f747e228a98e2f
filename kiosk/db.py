"""Database engine and sessions for SQLite (WAL, serialized writers) and PostgreSQL."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        db_file = url.split("///", 1)[-1]
        if db_file and db_file != ":memory:":
            Path(db_file).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20, max_overflow=40
        )
        on_disk = db_file and db_file != ":memory:"
        _serialize_sqlite_writers(engine, WriterLock(f"{db_file}.writer" if on_disk else None))
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20)
    _ping_after_idle(engine)
    return engine


IDLE_PING_S = 10.0


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use when it sat idle for a while.

    The server may have restarted or dropped it meanwhile. Unlike
    pool_pre_ping, a connection in steady use skips the check: under load
    that round trip was one in eight of a ticket issue's. A connection that
    fails the check is replaced (the pool retries on DisconnectionError).
    """

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _on_checkout(dbapi_conn, record, _proxy):
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < IDLE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as e:
            raise exc.DisconnectionError(f"pooled connection failed its check: {e}") from e


class WriterLock:
    """SQLite's writers queue here: threads on a Python lock, worker processes on a file lock.

    SQLite's own busy handler waits by sleeping with back-off (up to 100 ms a
    try), which gives long tails under load; a blocked flock() wakes the
    moment the lock is free. Without a file (an in-memory database) or
    without flock (not POSIX) only the threads of one process are queued.
    """

    def __init__(self, path: str | None):
        self._threads = threading.Lock()
        self._path = path
        self._fd: int | None = None
        self._pid: int | None = None  # the process that opened _fd
        try:
            import fcntl
        except ImportError:
            self._path = None
        else:
            self._fcntl = fcntl

    def acquire(self) -> None:
        self._threads.acquire()
        if self._path is None:
            return
        try:
            if self._fd is None or os.getpid() != self._pid:  # first use, or after a fork: a lock of its own
                self._fd, self._pid = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
            self._fcntl.flock(self._fd, self._fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            if self._fd is not None:  # None without a lock file (acquire opens it when there is one)
                self._fcntl.flock(self._fd, self._fcntl.LOCK_UN)
        finally:
            self._threads.release()


def _serialize_sqlite_writers(engine: Engine, writer: WriterLock) -> None:
    """Every transaction takes SQLite's write lock up front (BEGIN IMMEDIATE).

    pysqlite's deferred BEGIN lets two transactions read, then both try to
    upgrade to a write lock and one fails with "database is locked". Taking
    the lock at BEGIN turns that into an orderly wait, queued on `writer`;
    busy_timeout remains for other programs opening the file.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        writer.acquire()
        conn.info["holds_writer"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _on_end(conn)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn):
        if conn.info.pop("holds_writer", False):
            writer.release()


def make_numbering_engine(engine: Engine) -> Engine | None:
    """PostgreSQL: a few connections of their own for taking ticket numbers (hall/tickets.py).

    Each number is one statement committed at once, so a queue's counter row
    is never locked while a request does the rest of its work. That commit
    need not wait for the disk: the ticket carrying the number commits
    after it and flushes the log up to its own commit, which includes the
    number's, so a crash can lose only numbers no stored ticket holds.
    SQLite (None): its writers take turns anyway; the number joins the
    request's transaction.
    """
    if engine.dialect.name == "sqlite":
        return None
    numbering = create_engine(
        engine.url,
        isolation_level="AUTOCOMMIT",
        pool_size=4,
        max_overflow=0,
        pool_reset_on_return=None,
        connect_args={"options": "-c synchronous_commit=off"},
    )
    _ping_after_idle(numbering)
    return numbering


def make_sessionmaker(engine: Engine, numbering: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, info={"numbering": numbering})


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
