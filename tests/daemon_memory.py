"""A real quiet daemon against the simulated site, its RSS sampled after given cycles.

Shared by the memory test and `python -m bench.daemon`; the bound stated in the README
lives here.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from storage.db import opened_database
from storage.runs import count_finished_runs
from tests.demo import demo_env
from tests.sitesim import SiteSim

# RSS after cycle 200 less RSS after cycle 50 of a quiet daemon stays under this
# (before engines were kept per URL it grew about 70 KiB a cycle, 10 MiB over those
# 150 cycles; now it is flat to a tenth of a MiB).
RSS_GROWTH_BOUND_MIB = 4.0
BOUND_FROM, BOUND_TO = 50, 200


QUIET_CONFIG = (
    "[site]\ndownload_delay = 0\nretry_times = 0\n"
    '[schedule]\ninterval = "1s"\njitter_seconds = 0\n'
)


def finished_runs(db_url: str) -> int:
    """Cycles the daemon has recorded as finished (0 before its schema exists)."""
    try:
        with opened_database(db_url) as factory, factory() as session:
            return count_finished_runs(session)
    except Exception:
        return 0


def wait_runs(db_url: str, count: int, timeout: float) -> None:
    """Poll the runs table until it holds `count` finished cycles."""
    deadline = time.monotonic() + timeout
    while finished_runs(db_url) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the daemon did not finish {count} cycles")
        time.sleep(0.2)


@contextmanager
def running_daemon(
    site: SiteSim, folder: Path, config: str
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`mofawatch daemon` in `folder` with this configuration, against the simulated
    site, logging to folder/daemon.log: the process and its database URL. It is
    killed on the way out unless it has stopped."""
    env = demo_env(site.base_url, folder)
    Path(env["MOFAWATCH_CONFIG"]).write_text(config, encoding="utf-8")
    with (folder / "daemon.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "daemon"],
            env=env,
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc, env["MOFAWATCH_DATABASE_URL"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop_daemon(proc: subprocess.Popen[bytes]) -> int:
    """Ask the daemon to stop as a service manager would; its exit code."""
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=120)


def sample_rss(
    marks: Iterable[int], *, on_sample: Callable[[int, float], None] | None = None
) -> list[tuple[int, float]]:
    """(cycle, RSS in MiB) of a quiet daemon after each mark; it runs to the last."""
    wanted = sorted(set(marks))
    series: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="mofawatch-memory-") as tmp:
        folder = Path(tmp)
        with (
            SiteSim.from_fixture(folder / "site") as site,
            running_daemon(site, folder, QUIET_CONFIG) as (proc, db_url),
        ):
            daemon = psutil.Process(proc.pid)
            for mark in wanted:
                wait_runs(db_url, mark, 60.0 * mark)
                series.append((mark, daemon.memory_info().rss / 2**20))
                if on_sample is not None:
                    on_sample(*series[-1])
            stop_daemon(proc)
    return series
