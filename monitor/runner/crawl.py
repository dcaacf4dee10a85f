"""Run the `mofa` crawl as a `scrapy crawl` subprocess and read back its statistics.

Scrapy is never imported here: the reactor cannot restart inside a long-lived process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.config import Settings
from storage.db import open_database, unit_of_work
from storage.runs import get_run

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # holds scrapy.cfg and crawler/
STDERR_TAIL_CHARS = 4000
KILL_GRACE_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class CrawlResult:
    returncode: int
    stats: dict[str, Any]
    timed_out: bool
    stderr_tail: str

    @property
    def all_index_blocked(self) -> bool:
        """True when every section was blocked (403/429/challenge): exit code 4."""
        if "all_index_blocked" in self.stats:
            return bool(self.stats["all_index_blocked"])
        sections = self.stats.get("sections") or {}
        return bool(sections) and all(v == "blocked" for v in sections.values())

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and bool(self.stats)


def crawl_command(
    settings: Settings,
    *,
    run_id: int,
    since: str | None = None,
    warc_path: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> list[str]:
    """The `python -m scrapy crawl mofa -s ...` command line for these settings."""
    site = settings.site
    values: dict[str, str] = {
        "DATABASE_URL": settings.database_url,
        "SITE_BASE_URL": site.base_url,
        "SITE_SECTIONS": ",".join(site.sections),
        "SITE_SINCE": since or site.since,
        "RUN_ID": str(run_id),
        "WARC_PATH": warc_path or "",
        "DOWNLOAD_DELAY": str(site.download_delay),
        "AUTOTHROTTLE_START_DELAY": str(site.download_delay),
        "USER_AGENT": site.user_agent,
        "DOWNLOAD_TIMEOUT": str(site.timeout_seconds),
        "RETRY_TIMES": str(site.retry_times),
        "REVISIT_EVERY_CYCLE_DAYS": str(site.revisit.every_cycle_days),
        "REVISIT_DAILY_UNTIL_DAYS": str(site.revisit.daily_until_days),
        "REVISIT_WEEKLY_UNTIL_DAYS": str(site.revisit.weekly_until_days),
        "REVISIT_MONTHLY_AFTER": str(site.revisit.monthly_after),
    }
    values.update(extra or {})
    command = [sys.executable, "-m", "scrapy", "crawl", "mofa"]
    for name, value in values.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_crawl(
    settings: Settings,
    *,
    run_id: int,
    since: str | None = None,
    warc_path: str | None = None,
    timeout: float | None = None,
    extra: Mapping[str, str] | None = None,
) -> CrawlResult:
    """Crawl in a subprocess (its group killed after `timeout`); stats from runs."""
    command = crawl_command(
        settings, run_id=run_id, since=since, warc_path=warc_path, extra=extra
    )
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    limit = timeout if timeout is not None else settings.schedule.crawl_timeout_seconds
    logger.info("crawl starting: run %s, base %s", run_id, settings.site.base_url)
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
        timed_out = _wait(process, limit)
        stderr.seek(0)
        tail = _tail(stderr.read())
    stats = _read_stats(settings.database_url, run_id)
    if timed_out:
        logger.error("crawl timed out after %ss and was killed", limit)
    elif process.returncode != 0:
        logger.error("crawl exited with %s: %s", process.returncode, tail[-500:])
    return CrawlResult(process.returncode, stats, timed_out, tail)


def _wait(process: subprocess.Popen[bytes], limit: float) -> bool:
    try:
        process.wait(timeout=limit)
        return False
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=KILL_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        return True


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _tail(raw: bytes) -> str:
    return raw[-STDERR_TAIL_CHARS:].decode("utf-8", "replace")


def _read_stats(database_url: str, run_id: int) -> dict[str, Any]:
    factory = open_database(database_url)
    try:
        with unit_of_work(factory) as session:
            run = get_run(session, run_id)
            crawl = (run.stats or {}).get("crawl") if run is not None else None
    finally:
        factory.kw["bind"].dispose()
    return dict(crawl) if isinstance(crawl, Mapping) else {}
