"""The cycle lock: one crawl-detect-dispatch cycle at a time across processes.

SQLite: an flock'ed file beside the database. PostgreSQL: a session advisory lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from storage.db import DatabaseUnreachableError, mask_url

logger = logging.getLogger(__name__)

# Two int4 keys, so pg_locks shows them as classid/objid with objsubid = 2.
PG_LOCK_KEYS = (0x6D6F6661, 0x77617463)  # "mofa", "watc"
_APP_PREFIX = "mofawatch-lock"


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds (or held) the cycle lock."""

    pid: int | None
    started_at: datetime | None
    host: str

    def describe(self) -> str:
        when = self.started_at.isoformat(timespec="seconds") if self.started_at else "?"
        pid = self.pid if self.pid is not None else "?"
        return f"pid {pid} on {self.host or '?'}, started {when}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "pid": self.pid,
                "started_at": self.started_at.isoformat() if self.started_at else None,
                "host": self.host,
            }
        )

    @classmethod
    def from_json(cls, text_: str) -> LockHolder | None:
        try:
            data = json.loads(text_)
            started = data.get("started_at")
            return cls(
                pid=int(data["pid"]) if data.get("pid") is not None else None,
                started_at=datetime.fromisoformat(started) if started else None,
                host=str(data.get("host") or ""),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


class LockHeldError(Exception):
    """Another cycle holds the lock; the message names its pid and start time."""

    def __init__(self, holder: LockHolder | None, where: str) -> None:
        self.holder = holder
        who = holder.describe() if holder else "holder unknown"
        super().__init__(f"another cycle holds the lock ({who}; {where})")


def lock_path_for(database_url: str) -> Path | None:
    """The lock file beside a SQLite database file; None for other databases."""
    url = make_url(database_url)
    if not url.get_backend_name().startswith("sqlite"):
        return None
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database + ".lock")


@contextlib.contextmanager
def cycle_lock(database_url: str, now: datetime) -> Iterator[LockHolder]:
    """Hold the cycle lock for the block; raise LockHeldError at once if taken."""
    me = LockHolder(
        pid=os.getpid(), started_at=now.astimezone(UTC), host=socket.gethostname()
    )
    url = make_url(database_url)
    if url.get_backend_name().startswith("postgres"):
        with _pg_lock(database_url, me):
            yield me
        return
    path = lock_path_for(database_url)
    if path is None:  # in-memory SQLite: nothing to share with other processes
        yield me
        return
    with _file_lock(path, me):
        yield me


def _read_holder(fd: int) -> LockHolder | None:
    os.lseek(fd, 0, os.SEEK_SET)
    data = os.read(fd, 4096).decode("utf-8", "replace").strip()
    return LockHolder.from_json(data) if data else None


@contextlib.contextmanager
def _file_lock(path: Path, me: LockHolder) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeldError(_wait_for_holder(fd), f"lock file {path}") from None
        previous = _read_holder(fd)
        if previous is not None:
            # A released lock leaves an empty file; details left behind mean the holder
            # died without releasing (the kernel dropped its flock).
            logger.warning(
                "recovered stale lock from pid %s (started %s)",
                previous.pid,
                previous.started_at,
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, me.to_json().encode(), 0)
        logger.debug("cycle lock taken: %s", path)
        try:
            yield
        finally:
            # Truncate, never unlink: unlinking lets two processes lock two inodes.
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _wait_for_holder(fd: int) -> LockHolder | None:
    # The holder writes its details just after taking the flock; give it a moment.
    for _ in range(20):
        holder = _read_holder(fd)
        if holder is not None:
            return holder
        time.sleep(0.05)
    return None


def _pg_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@contextlib.contextmanager
def _pg_lock(database_url: str, me: LockHolder) -> Iterator[None]:
    started = me.started_at.strftime("%Y%m%dT%H%M%SZ") if me.started_at else "-"
    app_name = f"{_APP_PREFIX} {me.pid} {started} {me.host}"[:63]
    engine = create_engine(
        _pg_url(database_url),
        poolclass=NullPool,
        connect_args={"application_name": app_name},
    )
    try:
        try:
            conn = engine.connect()
        except DBAPIError as exc:
            reason = str(exc.orig or exc).strip().splitlines()[0]
            raise DatabaseUnreachableError(
                f"cannot reach database {mask_url(database_url)}: {reason}"
            ) from exc
        with conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(:a, :b)"),
                {"a": PG_LOCK_KEYS[0], "b": PG_LOCK_KEYS[1]},
            ).scalar()
            if not got:
                holder = _pg_holder(conn)
                raise LockHeldError(
                    holder, f"advisory lock in {mask_url(database_url)}"
                )
            try:
                yield
            finally:
                conn.execute(
                    text("SELECT pg_advisory_unlock(:a, :b)"),
                    {"a": PG_LOCK_KEYS[0], "b": PG_LOCK_KEYS[1]},
                )
    finally:
        engine.dispose()


def _pg_holder(conn: Connection) -> LockHolder | None:
    row = conn.execute(
        text(
            "SELECT a.application_name, a.backend_start, a.client_hostname "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :a "
            "AND l.objid = :b AND l.objsubid = 2 AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"a": PG_LOCK_KEYS[0], "b": PG_LOCK_KEYS[1]},
    ).first()
    if row is None:
        return None
    parts = str(row[0] or "").split(" ")
    if len(parts) >= 3 and parts[0] == _APP_PREFIX and parts[1].isdigit():
        started = datetime.strptime(parts[2], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return LockHolder(
            pid=int(parts[1]), started_at=started, host=" ".join(parts[3:])
        )
    return LockHolder(pid=None, started_at=row[1], host=str(row[2] or ""))
