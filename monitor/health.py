"""Health as `mofawatch status` and the web view's Health page judge it: the stored
figures (storage.status), with the problems that make the archive unhealthy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitor.config import Settings
    from storage.status import (
        BaselineFigures,
        DictionaryFigures,
        RunFigures,
        SectionFigures,
        StatusFigures,
    )

RUNS_SHOWN = 5
STALE_INTERVALS = 3
_RUN_STATS = (
    "requests",
    "not_modified",
    "new_documents",
    "new_versions",
    "failed",
    "blocked",
    "extract_errors",
)


def build_status(
    figures: StatusFigures, settings: Settings, now: datetime
) -> dict[str, Any]:
    """Everything `status` shows, as a JSON-ready dict with `healthy` and `problems`."""
    report: dict[str, Any] = {
        "checked_at": now.isoformat(timespec="seconds"),
        "runs": [_run(run) for run in figures.runs],
        "sections": [_section(s) for s in figures.sections],
        "documents": {
            "total": sum(figures.documents.values()),
            **figures.documents,
        },
        "versions": figures.versions,
        "alerts": dict(figures.alerts),
        "revisits_due": figures.revisits_due,
        "baseline": _baseline(figures.baseline),
        "translation": {"median_lag_days_90d": figures.translation_lag_days},
        "dictionaries": [_dictionary(d) for d in figures.dictionaries],
        "next_cycle": _next_cycle(figures, settings, now),
    }
    problems = _problems(figures) + _staleness(figures.last_ok_at, settings, now)
    report["problems"] = problems
    report["healthy"] = not problems
    return report


def _dictionary(figures: DictionaryFigures) -> dict[str, Any]:
    return {
        "kind": figures.kind,
        "trained_at": _iso(figures.created_at),
        "samples": figures.samples,
        "repacked_through": figures.repacked_through,
        "trained_through": figures.trained_through,
        "repacked": figures.repacked_through >= figures.trained_through,
    }


def _problems(figures: StatusFigures) -> list[str]:
    problems = [
        f"section {s.name} {s.state} since {_iso(s.since)}"
        for s in figures.sections
        if not s.is_ok
    ]
    if figures.dead_alerts:
        problems.append(f"{figures.dead_alerts} dead alerts (never delivered)")
    finished = [r for r in figures.runs if not r.is_running]
    if finished and not finished[0].is_ok:
        problems.append(
            f"last run {finished[0].id} {finished[0].status} "
            f"(exit {finished[0].exit_code})"
        )
    return problems


def _staleness(
    last_ok: datetime | None, settings: Settings, now: datetime
) -> list[str]:
    if last_ok is None:
        return ["no successful run yet"]
    if now - last_ok > STALE_INTERVALS * _interval(settings):
        return [
            f"no successful run since {_iso(last_ok)} (more than "
            f"{STALE_INTERVALS} schedule intervals)"
        ]
    return []


def _next_cycle(
    figures: StatusFigures, settings: Settings, now: datetime
) -> dict[str, Any]:
    """When the daemon's schedule starts the next cycle, and the schedule itself."""
    from monitor.schedule import next_fire_time

    schedule = settings.schedule
    daemon_starts = [r.started_at for r in figures.runs if r.kind == "daemon"]
    last_start = max(daemon_starts, default=None)
    at = next_fire_time(schedule, now, last_start=last_start)
    return {
        "at": _iso(at),
        "schedule": (
            f"cron {schedule.cron}"
            if schedule.cron is not None
            else f"every {schedule.interval_seconds} s"
        ),
        "timezone": schedule.timezone,
        "jitter_seconds": schedule.jitter_seconds,
    }


def _interval(settings: Settings) -> timedelta:
    schedule = settings.schedule
    if not schedule.cron:
        return timedelta(seconds=schedule.interval_seconds or 1800)
    from monitor.schedule import build_trigger

    trigger = build_trigger(schedule)
    trigger.jitter = None
    first = trigger.get_next_fire_time(None, datetime.now(UTC))
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    if first is None or second is None:
        return timedelta(days=1)
    return timedelta(seconds=(second - first).total_seconds())


def _run(run: RunFigures) -> dict[str, Any]:
    crawl = run.stats.get("crawl") or {}
    cycle = run.stats.get("cycle") or {}
    return {
        "id": run.id,
        "kind": run.kind,
        "status": run.status,
        "exit_code": run.exit_code,
        "pid": run.pid,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "crawl": {k: crawl[k] for k in _RUN_STATS if k in crawl},
        "changes": cycle.get("changes"),
        "alerts_sent": cycle.get("sent"),
    }


def _section(section: SectionFigures) -> dict[str, Any]:
    return {
        "name": section.name,
        "state": section.state,
        "since": _iso(section.since),
        "consecutive_failures": section.consecutive_failures,
        "last_ok_at": _iso(section.last_ok_at),
        "last_error": section.last_error,
    }


def _baseline(baseline: BaselineFigures | None) -> dict[str, Any] | None:
    if baseline is None:
        return None
    return {
        "started_at": _iso(baseline.started_at),
        "since": baseline.since,
        "documents": baseline.documents,
        "waiting": baseline.waiting,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")
