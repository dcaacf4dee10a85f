"""One cycle under the lock: crawl, store, detect, ops, dispatch, and the run's record.

Shared by `mofawatch run` and each tick of `mofawatch daemon`. A stop request (a
signal) ends the crawl and skips the steps not begun; the run is then recorded as
interrupted. A baseline is silent, and stays open until a cycle of it completes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler.contract import CrawlStats, Progress
from monitor.alerts.dispatch import DispatchResult, dispatch_due
from monitor.config import Settings
from monitor.detect.changes import detect_changes
from monitor.detect.ops import evaluate_ops
from monitor.detect.pairs import detect_pairs
from monitor.exitcodes import ExitCode
from monitor.runner.crawl import CrawlEnd, CrawlResult, run_config_for, run_crawl
from monitor.runner.report import (
    CycleReport,
    crawl_fields,
    interrupted_lines,
    summary,
    verdict,
)
from monitor.runner.signals import StopRequest
from storage.cycles import (
    BaselinePlan,
    close_abandoned_runs,
    complete_baseline,
    count_documents,
    count_undetected_versions,
    has_versions,
    open_baseline,
)
from storage.db import (
    DatabaseUnreachableError,
    DatabaseUnusableError,
    SessionFactory,
    opened_database,
    require_persistent_url,
    require_schema,
    require_writable,
    unit_of_work,
)
from storage.locks import HeldLock, LockHeldError, cycle_lock
from storage.quiet import prune_quiet_fetches
from storage.runs import finish_run, last_finished_cycle, start_run
from storage.vocabulary import RunStatus

logger = logging.getLogger(__name__)

NowFn = Callable[[], datetime]
# Kept in the run's record, but not in the cycle line under these names: "failed"
# there is the crawl's failed fetches; the alerts' counts are logged as alerts_*.
_NOT_LOGGED = frozenset({"problems", "sent", "failed", "dead"})


@dataclass(frozen=True)
class CycleOptions:
    since: str | None = None
    no_alerts: bool = False
    warc_path: str | None = None
    kind: str = "run"
    stop: StopRequest = field(default_factory=StopRequest)
    on_progress: Callable[[Progress], None] | None = None
    upgrade: bool = True  # the daemon upgrades once, at start


@dataclass(frozen=True)
class _Cycle:
    factory: SessionFactory
    settings: Settings
    database_url: str
    now_fn: NowFn
    lock: HeldLock
    options: CycleOptions
    run_id: int
    baseline: BaselinePlan | None


def execute_cycle(
    settings: Settings,
    now_fn: NowFn,
    *,
    dry_run: bool = False,
    options: CycleOptions | None = None,
) -> CycleReport:
    """One full cycle (or a dry run); its exit code per DESIGN.md "CLI"."""
    options = options or CycleOptions()
    try:
        database_url = require_persistent_url(settings.database_url)
        if dry_run:
            return _dry_run(settings, database_url, now_fn)
        require_writable(database_url)
        with (
            cycle_lock(database_url, now_fn()) as lock,
            opened_database(database_url, upgrade=options.upgrade) as factory,
        ):
            return _locked_cycle(factory, settings, database_url, now_fn, lock, options)
    except LockHeldError as exc:
        return CycleReport(ExitCode.LOCKED, error=str(exc))
    except DatabaseUnreachableError as exc:
        return CycleReport(ExitCode.USAGE, error=str(exc))


def _locked_cycle(
    factory: SessionFactory,
    settings: Settings,
    database_url: str,
    now_fn: NowFn,
    lock: HeldLock,
    options: CycleOptions,
) -> CycleReport:
    with unit_of_work(factory) as session:
        for run_id, pid in close_abandoned_runs(session, now_fn()):
            logger.warning("run %s (pid %s) was abandoned; marked failed", run_id, pid)
        run_id = start_run(session, now_fn(), kind=options.kind, pid=os.getpid())
        baseline = open_baseline(
            session,
            since=options.since,
            site_since=settings.site.since,
            run_id=run_id,
            now=now_fn(),
        )
    if baseline is not None and baseline.continued_from_run is not None:
        logger.info(
            "continuing the baseline begun by run %s", baseline.continued_from_run
        )
    logger.info("cycle starting", extra={"run_id": run_id, "baseline": bool(baseline)})
    cycle = _Cycle(
        factory, settings, database_url, now_fn, lock, options, run_id, baseline
    )
    try:
        return _steps(cycle)
    except BaseException as exc:
        _finish(cycle, RunStatus.FAILED, ExitCode.FAILED, {"error": repr(exc)})
        raise


def _steps(cycle: _Cycle) -> CycleReport:
    options = cycle.options
    if options.stop.is_set():
        return _interrupted(cycle, "start", None)
    crawl = run_crawl(
        run_config_for(
            cycle.settings,
            database_url=cycle.database_url,
            run_id=cycle.run_id,
            since=options.since or (cycle.baseline.since if cycle.baseline else None),
            warc_path=options.warc_path,
            reread_unchanged_indexes=(
                cycle.baseline is not None or _last_crawl_left_work(cycle.factory)
            ),
        ),
        timeout=cycle.settings.schedule.crawl_timeout_seconds,
        stop=options.stop,
        lock=cycle.lock,
        on_progress=options.on_progress,
    )
    if crawl.end is CrawlEnd.INTERRUPTED or options.stop.is_set():
        return _interrupted(cycle, "crawl", crawl)
    stats = _detect(cycle)
    dispatched = _dispatch(cycle, stats)
    if dispatched is None and options.stop.is_set():
        return _interrupted(cycle, "detection", crawl)
    return _done(cycle, crawl, stats, dispatched)


def _last_crawl_left_work(factory: SessionFactory) -> bool:
    """Whether the last cycle's crawl may have left listed documents unfetched (so
    this one reads its unchanged index pages again to find them)."""
    with unit_of_work(factory) as session:
        run = last_finished_cycle(session)
        if run is None or run.status != RunStatus.OK:
            return True
        stats = CrawlStats.from_run(run.stats)
    return stats is None or stats.left_work


def _detect(cycle: _Cycle) -> dict[str, Any]:
    now = cycle.now_fn()
    baseline = cycle.baseline
    # A baseline continued from an earlier cycle still announces what was published
    # since it began (found on the index pages while the backlog is recorded).
    announce_from = None
    if baseline is not None and baseline.continued_from_run is not None:
        announce_from = (
            baseline.started_at.date().isoformat() if baseline.started_at else None
        )
    detected = detect_changes(
        cycle.factory,
        cycle.settings,
        now,
        silent=baseline is not None,
        announce_from=announce_from,
    )
    paired = detect_pairs(
        cycle.factory, cycle.settings, now, silent=cycle.baseline is not None
    )
    events = evaluate_ops(cycle.factory, cycle.settings, now, run_id=cycle.run_id)
    return {
        "baseline": cycle.baseline is not None,
        "changes": detected.changes,
        "silent": detected.silent,
        "alerts_queued": detected.alerts + paired.alerts,
        "pairs": paired.paired,
        "ops_events": len(events),
    }


def _dispatch(cycle: _Cycle, stats: dict[str, Any]) -> DispatchResult | None:
    if cycle.options.no_alerts:
        stats["dispatch"] = "skipped (--no-alerts)"
        return None
    if cycle.options.stop.is_set():
        return None
    dispatched = dispatch_due(cycle.factory, cycle.settings, cycle.now_fn())
    stats.update(sent=dispatched.sent, failed=dispatched.failed, dead=dispatched.dead)
    return dispatched


def _done(
    cycle: _Cycle,
    crawl: CrawlResult,
    stats: dict[str, Any],
    dispatched: DispatchResult | None,
) -> CycleReport:
    exit_code, status, problems = verdict(crawl, dispatched)
    stats["problems"] = problems
    with unit_of_work(cycle.factory) as session:
        covered = crawl.ok and not crawl.stats.deferred and has_versions(session)
        if cycle.baseline is not None and covered:
            complete_baseline(session, cycle.baseline.id, cycle.run_id, cycle.now_fn())
            stats["baseline_completed"] = True
        documents = count_documents(session)
        prune_quiet_fetches(session, cycle.run_id)
    _finish(cycle, status, exit_code, stats)
    alerts = {f"alerts_{k}": stats[k] for k in ("sent", "failed", "dead") if k in stats}
    logger.info(
        "cycle finished",
        extra={
            "run_id": cycle.run_id,
            "exit_code": exit_code,
            **crawl_fields(crawl),
            **{k: v for k, v in stats.items() if k not in _NOT_LOGGED},
            **alerts,
        },
    )
    return CycleReport(
        exit_code, summary(stats, documents, problems), None, cycle.run_id
    )


def _interrupted(cycle: _Cycle, step: str, crawl: CrawlResult | None) -> CycleReport:
    stop = cycle.options.stop
    with cycle.factory() as session:
        documents = count_documents(session)
    _finish(
        cycle,
        RunStatus.INTERRUPTED,
        stop.exit_code,
        {"baseline": cycle.baseline is not None, "interrupted": f"{stop.name}, {step}"},
    )
    logger.warning(
        "cycle interrupted",
        extra={"run_id": cycle.run_id, "signal": stop.name, "step": step},
    )
    lines = interrupted_lines(stop.name, step, documents, cycle.baseline is not None)
    return CycleReport(stop.exit_code, lines, None, cycle.run_id)


def _finish(cycle: _Cycle, status: RunStatus, exit_code: int, stats: Any) -> None:
    with unit_of_work(cycle.factory) as session:
        finish_run(
            session,
            cycle.run_id,
            cycle.now_fn(),
            status=status,
            exit_code=exit_code,
            stats={"cycle": stats},
        )


def _dry_run(settings: Settings, database_url: str, now_fn: NowFn) -> CycleReport:
    """No crawl, no writes: what dispatch would send now from the outbox."""
    try:
        require_schema(database_url)
    except DatabaseUnusableError as exc:
        return CycleReport(ExitCode.USAGE, error=str(exc))
    with opened_database(database_url) as factory:
        with factory() as session:
            undiffed = count_undetected_versions(session)
        planned = dispatch_due(factory, settings, now_fn(), dry_run=True).planned
    lines = [
        f"dry run: no crawl, nothing written; {len(planned)} messages would be "
        f"sent; {undiffed} stored versions not yet compared"
    ]
    lines += [f"would send to {p.channel}: {p.subject}" for p in planned]
    return CycleReport(ExitCode.OK, tuple(lines), planned=planned)
