"""The cycle lock: one crawl-detect-dispatch cycle at a time across processes.

SQLite: an flock'ed file beside the database. PostgreSQL: a session advisory lock.
The lock also covers the crawl process a cycle starts, so the crawl of a cycle that
was killed and the next cycle's crawl never write at once: with SQLite the crawl
inherits the locked file descriptor (the flock lasts until both have closed it);
with PostgreSQL the crawl holds a shared advisory lock on a second key for its whole
life, and a new cycle waits until nobody holds it before it starts its own crawl.
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from storage.db import DatabaseUnreachableError, StorageError, mask_url, normalize_url

logger = logging.getLogger(__name__)

# Two int4 keys, so pg_locks shows them as classid/objid with objsubid = 2.
PG_LOCK_KEYS = (0x6D6F6661, 0x77617463)  # "mofa", "watc"
PG_CRAWL_KEYS = (0x6D6F6661, 0x6372776C)  # "mofa", "crwl": held by running crawls
_APP_PREFIX = "mofawatch-lock"
_CRAWL_APP_PREFIX = "mofawatch-crawl"
ORPHAN_POLL_SECONDS = 0.2


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


class LockHeldError(StorageError):
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


@dataclass(frozen=True, slots=True)
class HeldLock:
    """The cycle lock while held: who we are, and what a crawl must inherit."""

    holder: LockHolder
    database_url: str
    # File descriptors the crawl process inherits so that it holds the lock too.
    crawl_fds: tuple[int, ...] = field(default=())

    def wait_for_earlier_crawls(self, timeout: float) -> None:
        """Return once no crawl of an earlier cycle runs; LockHeldError after timeout.

        SQLite needs no wait: the flock was free, so no earlier crawl holds it.
        """
        if is_postgres(self.database_url):
            _pg_wait_for_crawls(self.database_url, timeout)


def is_postgres(database_url: str) -> bool:
    return make_url(database_url).get_backend_name().startswith("postgres")


@contextlib.contextmanager
def cycle_lock(database_url: str, now: datetime) -> Iterator[HeldLock]:
    """Hold the cycle lock for the block; raise LockHeldError at once if taken."""
    me = LockHolder(
        pid=os.getpid(), started_at=now.astimezone(UTC), host=socket.gethostname()
    )
    if is_postgres(database_url):
        with _pg_lock(database_url, me):
            yield HeldLock(me, database_url)
        return
    path = lock_path_for(database_url)
    if path is None:  # in-memory SQLite: nothing to share with other processes
        yield HeldLock(me, database_url)
        return
    with _file_lock(path, me) as fd:
        yield HeldLock(me, database_url, (fd,))


def _read_holder(fd: int) -> LockHolder | None:
    os.lseek(fd, 0, os.SEEK_SET)
    data = os.read(fd, 4096).decode("utf-8", "replace").strip()
    return LockHolder.from_json(data) if data else None


def _open_lock_file(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DatabaseUnreachableError(
            f"cannot use the database folder {path.parent}: cannot create the lock "
            f"file {path.name} ({exc.strerror or exc})"
        ) from exc


@contextlib.contextmanager
def _file_lock(path: Path, me: LockHolder) -> Iterator[int]:
    fd = _open_lock_file(path)
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
            yield fd
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


def _app_name(prefix: str, me: LockHolder) -> str:
    started = me.started_at.strftime("%Y%m%dT%H%M%SZ") if me.started_at else "-"
    return f"{prefix} {me.pid} {started} {me.host}"[:63]


@contextlib.contextmanager
def _pg_connection(database_url: str, app_name: str) -> Iterator[Connection]:
    """One autocommit connection of its own (advisory locks live with it)."""
    engine = create_engine(
        normalize_url(database_url),
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
            yield conn.execution_options(isolation_level="AUTOCOMMIT")
    finally:
        engine.dispose()


def _try_lock(conn: Connection, keys: tuple[int, int]) -> bool:
    return bool(
        conn.execute(
            text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": keys[0], "b": keys[1]}
        ).scalar()
    )


def _unlock(conn: Connection, keys: tuple[int, int]) -> None:
    conn.execute(
        text("SELECT pg_advisory_unlock(:a, :b)"), {"a": keys[0], "b": keys[1]}
    )


@contextlib.contextmanager
def _pg_lock(database_url: str, me: LockHolder) -> Iterator[None]:
    with _pg_connection(database_url, _app_name(_APP_PREFIX, me)) as conn:
        if not _try_lock(conn, PG_LOCK_KEYS):
            holder = _pg_holder(conn, PG_LOCK_KEYS, _APP_PREFIX)
            raise LockHeldError(holder, f"advisory lock in {mask_url(database_url)}")
        try:
            yield
        finally:
            _unlock(conn, PG_LOCK_KEYS)


def _pg_wait_for_crawls(database_url: str, timeout: float) -> None:
    me = LockHolder(pid=os.getpid(), started_at=None, host=socket.gethostname())
    deadline = time.monotonic() + timeout
    with _pg_connection(database_url, _app_name(_APP_PREFIX, me)) as conn:
        while not _try_lock(conn, PG_CRAWL_KEYS):
            if time.monotonic() > deadline:
                holder = _pg_holder(conn, PG_CRAWL_KEYS, _CRAWL_APP_PREFIX)
                raise LockHeldError(
                    holder, "the crawl of an earlier cycle is still running"
                )
            time.sleep(ORPHAN_POLL_SECONDS)
        _unlock(conn, PG_CRAWL_KEYS)


@contextlib.contextmanager
def crawl_guard(database_url: str) -> Iterator[None]:
    """Held by a crawl process for its whole life (see the module docstring)."""
    if not is_postgres(database_url):
        yield  # the inherited lock file descriptor does the job
        return
    me = LockHolder(
        pid=os.getpid(), started_at=datetime.now(UTC), host=socket.gethostname()
    )
    with _pg_connection(database_url, _app_name(_CRAWL_APP_PREFIX, me)) as conn:
        keys = {"a": PG_CRAWL_KEYS[0], "b": PG_CRAWL_KEYS[1]}
        conn.execute(text("SELECT pg_advisory_lock_shared(:a, :b)"), keys)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock_shared(:a, :b)"), keys)


def _pg_holder(
    conn: Connection, keys: tuple[int, int], prefix: str
) -> LockHolder | None:
    row = conn.execute(
        text(
            "SELECT a.application_name, a.backend_start, a.client_hostname "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :a "
            "AND l.objid = :b AND l.objsubid = 2 AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"a": keys[0], "b": keys[1]},
    ).first()
    if row is None:
        return None
    parts = str(row[0] or "").split(" ")
    if len(parts) >= 3 and parts[0] == prefix and parts[1].isdigit():
        started = datetime.strptime(parts[2], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return LockHolder(
            pid=int(parts[1]), started_at=started, host=" ".join(parts[3:])
        )
    return LockHolder(pid=None, started_at=row[1], host=str(row[2] or ""))
