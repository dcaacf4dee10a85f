"""One cycle under the lock: crawl, store, detect, ops, dispatch, and the run's record.

Shared by `mofawatch run` and each tick of `mofawatch daemon`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.dispatch import DispatchResult, Planned, dispatch_due
from monitor.config import Settings
from monitor.detect.changes import detect_changes
from monitor.detect.ops import evaluate_ops
from monitor.exitcodes import ExitCode
from monitor.runner.crawl import CrawlResult, run_crawl
from monitor.runner.lock import LockHeldError, cycle_lock
from storage.db import (
    DatabaseUnreachableError,
    mask_url,
    opened_database,
    unit_of_work,
)
from storage.models import Document, Run, RunStatus, Version
from storage.runs import finish_run, start_run

logger = logging.getLogger(__name__)

NowFn = Callable[[], datetime]
# Crawl statistics that count fetch problems: any of them makes the exit code 1.
FETCH_ERROR_STATS = ("failed", "index_failed", "blocked", "index_blocked")


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What a cycle did: its exit code, lines for the user, a dry run's plan."""

    exit_code: int
    lines: tuple[str, ...] = ()
    error: str | None = None
    run_id: int | None = None
    planned: tuple[Planned, ...] = field(default_factory=tuple)


def run_cycle(
    settings: Settings,
    now_fn: NowFn,
    *,
    since: str | None = None,
    no_alerts: bool = False,
    dry_run: bool = False,
    warc_path: str | None = None,
) -> int:
    """One full cycle; returns its exit code (DESIGN.md "CLI")."""
    report = execute_cycle(
        settings,
        now_fn,
        since=since,
        no_alerts=no_alerts,
        dry_run=dry_run,
        warc_path=warc_path,
    )
    for line in report.lines:
        logger.info("%s", line)
    if report.error:
        logger.error("%s", report.error)
    return report.exit_code


def execute_cycle(
    settings: Settings,
    now_fn: NowFn,
    *,
    since: str | None = None,
    no_alerts: bool = False,
    dry_run: bool = False,
    warc_path: str | None = None,
    kind: str = "run",
    should_stop: Callable[[], bool] = lambda: False,
) -> CycleReport:
    """Like run_cycle, returning the report; `should_stop` is asked between steps."""
    if dry_run:
        return _dry_run(settings, now_fn)
    try:
        with (
            cycle_lock(settings.database_url, now_fn()),
            opened_database(settings.database_url, upgrade=True) as factory,
        ):
            return _locked_cycle(
                factory,
                settings,
                now_fn,
                since,
                no_alerts,
                warc_path,
                kind,
                should_stop,
            )
    except LockHeldError as exc:
        return CycleReport(ExitCode.LOCKED, error=str(exc))
    except DatabaseUnreachableError as exc:
        return CycleReport(ExitCode.USAGE, error=str(exc))
    except ArgumentError as exc:
        return CycleReport(
            ExitCode.USAGE,
            error=f"MOFAWATCH_DATABASE_URL / [database] url: not a database URL: "
            f"{mask_url(settings.database_url)} ({exc})",
        )


def _locked_cycle(
    factory: sessionmaker[Session],
    settings: Settings,
    now_fn: NowFn,
    since: str | None,
    no_alerts: bool,
    warc_path: str | None,
    kind: str,
    should_stop: Callable[[], bool],
) -> CycleReport:
    with unit_of_work(factory) as session:
        _close_abandoned_runs(session, now_fn())
        baseline = (
            since is not None or session.scalar(select(Version.id).limit(1)) is None
        )
        run_id = start_run(session, now_fn(), kind=kind, pid=os.getpid())
    logger.info("cycle starting", extra={"run_id": run_id, "baseline": baseline})
    try:
        return _steps(
            factory,
            settings,
            now_fn,
            run_id,
            baseline,
            since,
            no_alerts,
            warc_path,
            should_stop,
        )
    except BaseException as exc:
        with unit_of_work(factory) as session:
            finish_run(
                session,
                run_id,
                now_fn(),
                status=RunStatus.FAILED,
                exit_code=ExitCode.FAILED,
                stats={"cycle": {"error": f"{type(exc).__name__}: {exc}"}},
            )
        raise


def _close_abandoned_runs(session: Session, now: datetime) -> None:
    # We hold the lock, so a run still marked running was left by a killed process.
    stmt = select(Run).where(Run.status == RunStatus.RUNNING)
    for run in session.scalars(stmt):
        logger.warning(
            "run %s (pid %s) was abandoned; marking it failed", run.id, run.pid
        )
        finish_run(
            session,
            run.id,
            now,
            status=RunStatus.FAILED,
            exit_code=ExitCode.FAILED,
            stats={"cycle": {"error": "abandoned"}},
        )


def _steps(
    factory: sessionmaker[Session],
    settings: Settings,
    now_fn: NowFn,
    run_id: int,
    baseline: bool,
    since: str | None,
    no_alerts: bool,
    warc_path: str | None,
    should_stop: Callable[[], bool],
) -> CycleReport:
    crawl = run_crawl(
        settings,
        run_id=run_id,
        since=since,
        warc_path=warc_path,
        timeout=settings.schedule.crawl_timeout_seconds,
    )
    cycle: dict[str, Any] = {"baseline": baseline}
    dispatched: DispatchResult | None = None
    if should_stop():
        cycle["stopped_after"] = "crawl"
    else:
        detected = detect_changes(factory, settings, now_fn(), silent=baseline)
        cycle.update(
            changes=detected.changes,
            silent=detected.silent,
            alerts_queued=detected.alerts,
        )
        cycle["ops_events"] = len(
            evaluate_ops(factory, settings, now_fn(), run_id=run_id)
        )
        if no_alerts:
            cycle["dispatch"] = "skipped (--no-alerts)"
        elif should_stop():
            cycle["stopped_after"] = "detect"
        else:
            dispatched = dispatch_due(factory, settings, now_fn())
            cycle.update(
                sent=dispatched.sent, failed=dispatched.failed, dead=dispatched.dead
            )
    exit_code, status, problems = _verdict(crawl, dispatched)
    cycle["problems"] = problems
    with unit_of_work(factory) as session:
        finish_run(
            session,
            run_id,
            now_fn(),
            status=status,
            exit_code=exit_code,
            stats={"cycle": cycle},
        )
        documents = session.scalar(select(func.count(Document.id))) or 0
    logger.info(
        "cycle finished",
        extra={
            "run_id": run_id,
            "exit_code": exit_code,
            **{k: v for k, v in cycle.items() if k != "problems"},
        },
    )
    return CycleReport(exit_code, _summary(cycle, documents, problems), None, run_id)


def _verdict(
    crawl: CrawlResult, dispatched: DispatchResult | None
) -> tuple[int, RunStatus, list[str]]:
    if crawl.all_index_blocked:
        return (
            ExitCode.BLOCKED,
            RunStatus.BLOCKED,
            ["the site blocked every index page"],
        )
    problems = []
    if crawl.timed_out:
        problems.append("the crawl timed out and was stopped")
    elif crawl.returncode != 0 or not crawl.stats:
        problems.append(f"the crawl failed (exit {crawl.returncode})")
    problems += [
        f"{name}: {crawl.stats[name]}"
        for name in FETCH_ERROR_STATS
        if crawl.stats.get(name)
    ]
    if dispatched is not None and (dispatched.failed or dispatched.dead):
        problems.append(
            f"alerts not delivered: {dispatched.failed} failed, {dispatched.dead} dead"
        )
    if problems:
        return ExitCode.FAILED, RunStatus.FAILED, problems
    return ExitCode.OK, RunStatus.OK, []


def _summary(
    cycle: dict[str, Any], documents: int, problems: list[str]
) -> tuple[str, ...]:
    sent = cycle.get("sent", 0)
    if cycle["baseline"]:
        tail = "no alerts sent" if not sent else f"{sent} operational alerts sent"
        lines = [f"baseline recorded: {documents} documents, {tail}"]
    else:
        lines = [
            f"cycle done: {cycle.get('changes', 0)} changes, "
            f"{cycle.get('alerts_queued', 0)} alerts queued, {sent} sent"
        ]
    if "stopped_after" in cycle:
        lines.append(f"stopped after {cycle['stopped_after']} (shutdown requested)")
    lines += [f"problem: {p}" for p in problems]
    return tuple(lines)


def _dry_run(settings: Settings, now_fn: NowFn) -> CycleReport:
    """No crawl, no writes: what dispatch would send now from the outbox."""
    try:
        with opened_database(settings.database_url) as factory:
            with factory() as session:
                undiffed = (
                    session.scalar(
                        select(func.count(Version.id)).where(
                            Version.detected_at.is_(None)
                        )
                    )
                    or 0
                )
            planned = dispatch_due(factory, settings, now_fn(), dry_run=True).planned
    except DatabaseUnreachableError as exc:
        return CycleReport(ExitCode.USAGE, error=str(exc))
    lines = [
        f"dry run: no crawl, nothing written; {len(planned)} messages would be "
        f"sent; {undiffed} stored versions not yet compared"
    ]
    lines += [f"would send to {p.channel}: {p.subject}" for p in planned]
    return CycleReport(ExitCode.OK, tuple(lines), planned=planned)
