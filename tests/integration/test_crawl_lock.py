"""The cycle lock covers the crawl process: a cycle killed mid-crawl leaves the lock
held until its crawl is gone too, so two crawls never write at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime

import psutil
import pytest

from storage.locks import LockHeldError, cycle_lock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

# A cycle that takes the lock and starts a "crawl" the way the runner does, then
# waits to be killed. The crawl sleeps; with PostgreSQL it holds the crawl guard.
CYCLE = textwrap.dedent(
    """
    import subprocess, sys, time
    from datetime import UTC, datetime
    from storage.locks import cycle_lock
    CRAWL = (
        "import sys, time\\n"
        "from storage.locks import crawl_guard\\n"
        "with crawl_guard(sys.argv[1]):\\n"
        "    print('crawling', flush=True)\\n"
        "    time.sleep(300)\\n"
    )
    with cycle_lock(sys.argv[1], datetime.now(UTC)) as lock:
        crawl = subprocess.Popen(
            [sys.executable, "-c", CRAWL, sys.argv[1]],
            pass_fds=lock.crawl_fds, stdout=subprocess.PIPE, text=True,
        )
        assert crawl.stdout.readline() == "crawling\\n"
        print(crawl.pid, flush=True)
        time.sleep(300)
    """
)


def _killed_cycle(url: str) -> psutil.Process:
    """Start the cycle, kill it once its crawl runs; the orphaned crawl."""
    with subprocess.Popen(
        [sys.executable, "-c", CYCLE, url], stdout=subprocess.PIPE, text=True
    ) as cycle:
        assert cycle.stdout is not None
        crawl = psutil.Process(int(cycle.stdout.readline()))
        cycle.send_signal(signal.SIGKILL)
        cycle.wait(timeout=30)
    return crawl


def _take_when_free(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with cycle_lock(url, NOW):
                return
        except LockHeldError:
            assert time.monotonic() < deadline, "the lock was never released"
            time.sleep(0.1)


def test_sqlite_lock_stays_held_while_the_crawl_of_a_killed_cycle_runs(tmp_path):
    url = f"sqlite:///{tmp_path / 'mofawatch.db'}"
    crawl = _killed_cycle(url)
    try:
        with pytest.raises(LockHeldError), cycle_lock(url, NOW):
            pass
    finally:
        crawl.kill()
        crawl.wait(timeout=30)
    _take_when_free(url)


@pytest.mark.postgres
def test_postgres_cycle_waits_for_the_crawl_of_a_killed_cycle(postgres_url):
    crawl = _killed_cycle(postgres_url)
    try:
        _take_when_free(postgres_url)  # the advisory lock went with its connection
        with cycle_lock(postgres_url, NOW) as lock:
            with pytest.raises(LockHeldError, match=f"pid {crawl.pid}"):
                lock.wait_for_earlier_crawls(timeout=1)
            crawl.kill()
            crawl.wait(timeout=30)
            lock.wait_for_earlier_crawls(timeout=30)
    finally:
        if crawl.is_running():
            crawl.kill()
