"""Run the crawl as a `python -m crawler` subprocess, its RunConfig on standard input.

Scrapy is never imported here: the reactor cannot restart inside a long-lived process.
The crawl runs in a session (process group) of its own, so that a stop or a time-out
ends it whole; it inherits the cycle lock (storage.locks) and dies with its parent.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from crawler.contract import CrawlStats, LogLevel, Progress, RunConfig
from monitor.config import Settings
from monitor.config.proxy import masked_proxy
from monitor.runner.budget import baseline_budget, revisit_budget
from monitor.runner.relay import CrawlOutput
from monitor.runner.signals import StopRequest
from storage.cycles import record_crawl
from storage.db import opened_database, unit_of_work
from storage.locks import HeldLock

logger = logging.getLogger(__name__)

KILL_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.1
# -P: the user's working directory is not put on the crawl's import path.
CRAWL_COMMAND = (sys.executable, "-P", "-m", "crawler")
ENV_PREFIX = "MOFAWATCH_"


class CrawlEnd(enum.StrEnum):
    FINISHED = "finished"
    FAILED = "failed"
    TIMED_OUT = "timed out"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class CrawlResult:
    end: CrawlEnd
    returncode: int | None
    stats: CrawlStats  # empty when the crawl reported nothing (see `reported`)
    reported: bool
    error: str | None = None  # one line: why the crawl failed, in its own words
    tail: str = ""

    @property
    def ok(self) -> bool:
        return self.end is CrawlEnd.FINISHED and self.reported

    @property
    def all_index_blocked(self) -> bool:
        return self.stats.all_index_blocked

    def describe(self) -> str:
        """One line for the user about how the crawl ended."""
        if self.end is CrawlEnd.TIMED_OUT:
            return "the crawl timed out and was stopped"
        if self.end is CrawlEnd.INTERRUPTED:
            return "the crawl was stopped"
        if self.ok:
            return "the crawl finished"
        code = self.returncode
        how = f"killed by {signal.Signals(-code).name}" if code and code < 0 else None
        reason = f": {self.error}" if self.error else ""
        return f"the crawl failed ({how or f'exit {code}'}){reason}"


def log_level() -> LogLevel:
    """The crawl logs as much as we do."""
    level = logging.getLogger().getEffectiveLevel()
    if level <= logging.DEBUG:
        return LogLevel.DEBUG
    return LogLevel.INFO if level <= logging.INFO else LogLevel.WARNING


def run_config_for(
    settings: Settings,
    *,
    database_url: str,
    run_id: int | None,
    since: str | None = None,
    warc_path: str | None = None,
    now: datetime | None = None,
    reread_unchanged_indexes: bool = True,
) -> RunConfig:
    """The RunConfig of one crawl; relative paths mean what they mean here."""
    site = settings.site
    return RunConfig(
        database_url=database_url,
        proxy_url=settings.proxy_url,
        base_url=site.base_url,
        sections=tuple(site.sections),
        languages=tuple(site.languages),
        since=since or site.since,
        user_agent=site.user_agent,
        download_delay=site.download_delay,
        timeout_seconds=site.timeout_seconds,
        retry_times=site.retry_times,
        revisit=site.revisit,
        revisit_budget=revisit_budget(settings, now),
        baseline_budget=baseline_budget(settings, now),
        reread_unchanged_indexes=reread_unchanged_indexes,
        max_response_bytes=settings.crawl.max_response_bytes,
        run_id=run_id,
        warc_path=os.path.abspath(warc_path) if warc_path else None,
        now=now,
        log_level=log_level(),
        parent_pid=os.getpid(),
    )


def crawl_environment() -> dict[str, str]:
    """Our environment less our own variables: the crawl needs none of them (its
    configuration comes on standard input), and some hold secrets."""
    return {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}


def run_crawl(
    run: RunConfig,
    *,
    timeout: float,
    stop: StopRequest | None = None,
    lock: HeldLock | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> CrawlResult:
    """Crawl in a subprocess and store its record; it never outlives this call."""
    if lock is not None:
        lock.wait_for_earlier_crawls(KILL_GRACE_SECONDS * 3)
    route = (
        f"through proxy {masked_proxy(run.proxy_url)}" if run.proxy_url else "direct"
    )
    logger.info("crawl starting: run %s, base %s, %s", run.run_id, run.base_url, route)
    began = time.monotonic()
    process = subprocess.Popen(
        CRAWL_COMMAND,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=lock.crawl_fds if lock is not None else (),
        start_new_session=True,
        env=crawl_environment(),
    )
    output = CrawlOutput(process.stdout, process.stderr, on_progress)  # type: ignore[arg-type]
    try:
        _hand_over(process, run)
        end = _wait(process, timeout, stop)
    finally:
        _stop_group(process, urgent=True)  # only if still running
        output.join()
    result = _result(process.returncode, end, output)
    _record(run, result)
    took = time.monotonic() - began
    level = logging.INFO if result.ok else logging.ERROR
    figures = result.stats.progress if result.reported else output.progress
    logger.log(level, "%s in %.1f s: %s", result.describe(), took, figures.describe())
    return result


def _hand_over(process: subprocess.Popen[bytes], run: RunConfig) -> None:
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError), process.stdin:
        process.stdin.write(run.model_dump_json().encode())


def _wait(
    process: subprocess.Popen[bytes], limit: float, stop: StopRequest | None
) -> CrawlEnd | None:
    """Wait for the crawl; stop it on a time-out or a stop request."""
    deadline = time.monotonic() + limit
    while process.poll() is None:
        if stop is not None and stop.is_set():
            logger.warning("stopping the crawl (%s)", stop.name)
            _stop_group(process, urgent=stop.urgent, stop=stop)
            return CrawlEnd.INTERRUPTED
        if time.monotonic() > deadline:
            logger.error("crawl timed out after %ss; stopping it", limit)
            _stop_group(process, urgent=False)
            return CrawlEnd.TIMED_OUT
        time.sleep(POLL_SECONDS)
    return None


def _stop_group(
    process: subprocess.Popen[bytes], *, urgent: bool, stop: StopRequest | None = None
) -> None:
    """SIGTERM to the crawl's group, SIGKILL after the grace period (or at once)."""
    if process.poll() is not None:
        return
    _signal_group(process, signal.SIGKILL if urgent else signal.SIGTERM)
    deadline = time.monotonic() + KILL_GRACE_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        if stop is not None and stop.urgent:
            break
        time.sleep(POLL_SECONDS)
    if process.poll() is None:
        _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _result(
    returncode: int | None, end: CrawlEnd | None, output: CrawlOutput
) -> CrawlResult:
    if end is None:
        end = CrawlEnd.FINISHED if returncode == 0 else CrawlEnd.FAILED
    return CrawlResult(
        end=end,
        returncode=returncode,
        stats=output.stats or CrawlStats(),
        reported=output.stats is not None,
        error=output.last_error,
        tail="\n".join(output.tail),
    )


def _record(run: RunConfig, result: CrawlResult) -> None:
    """Store the crawl's record on its run and each section's health."""
    stats = result.stats
    if not result.reported:
        return
    sections = {
        name: (state, stats.section_errors.get(name))
        for name, state in stats.sections.items()
    }
    with opened_database(run.database_url) as factory, unit_of_work(factory) as session:
        record_crawl(
            session,
            run.run_id,
            stats.to_run_stats(),
            sections,
            run.now or datetime.now(UTC),
        )
