"""`mofawatch status [--json]`: health for people and monitors (exit 0, 1 or 2)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from monitor.cli.context import Context
from monitor.config import Settings
from monitor.exitcodes import ExitCode
from storage.db import opened_database
from storage.models import AlertStatus, Document, Run, RunStatus, SectionState, Version
from storage.outbox import alert_counts
from storage.runs import last_runs
from storage.sections import section_health

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


def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    settings = ctx.settings()
    with opened_database(settings.database_url) as factory, factory() as session:
        report = build_status(session, settings, datetime.now(UTC))
    if args.json:
        print(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    else:
        print(_text(report))
    return ExitCode.OK if report["healthy"] else ExitCode.FAILED


def build_status(session: Session, settings: Settings, now: datetime) -> dict[str, Any]:
    """Everything `status` shows, as a JSON-ready dict with `healthy` and `problems`."""
    if not inspect(session.get_bind()).has_table("runs"):
        return {
            "healthy": False,
            "problems": ["database not initialised: run `mofawatch init`"],
            "runs": [],
            "sections": [],
            "documents": {},
            "versions": 0,
            "alerts": {},
        }
    runs = last_runs(session, RUNS_SHOWN)
    sections = section_health(session)
    alerts = {
        status.value: alert_counts(session).get(status, 0) for status in AlertStatus
    }
    documents = {
        state.value: n
        for state, n in session.execute(
            select(Document.state, func.count()).group_by(Document.state)
        )
    }
    report: dict[str, Any] = {
        "checked_at": now.isoformat(timespec="seconds"),
        "runs": [_run(run) for run in runs],
        "sections": [
            {
                "name": s.name,
                "state": s.state.value,
                "since": _iso(s.since),
                "consecutive_failures": s.consecutive_failures,
                "last_ok_at": _iso(s.last_ok_at),
                "last_error": s.last_error,
            }
            for s in sections
        ],
        "documents": {"total": sum(documents.values()), **documents},
        "versions": session.scalar(select(func.count(Version.id))) or 0,
        "alerts": alerts,
    }
    problems = [
        f"section {s.name} {s.state.value} since {_iso(s.since)}"
        for s in sections
        if s.state != SectionState.OK
    ]
    if alerts[AlertStatus.DEAD.value]:
        problems.append(
            f"{alerts[AlertStatus.DEAD.value]} dead alerts (never delivered)"
        )
    finished = [r for r in runs if r.status != RunStatus.RUNNING]
    if finished and finished[0].status != RunStatus.OK:
        problems.append(
            f"last run {finished[0].id} {finished[0].status.value} "
            f"(exit {finished[0].exit_code})"
        )
    problems += _staleness(session, settings, now)
    report["problems"] = problems
    report["healthy"] = not problems
    return report


def _staleness(session: Session, settings: Settings, now: datetime) -> list[str]:
    last_ok = session.scalar(
        select(func.max(Run.finished_at)).where(Run.status == RunStatus.OK)
    )
    if last_ok is None:
        return ["no successful run yet"]
    limit = STALE_INTERVALS * _interval(settings)
    if last_ok.tzinfo is None:
        last_ok = last_ok.replace(tzinfo=UTC)
    if now - last_ok > limit:
        return [
            f"no successful run since {_iso(last_ok)} (more than "
            f"{STALE_INTERVALS} schedule intervals)"
        ]
    return []


def _interval(settings: Settings) -> timedelta:
    schedule = settings.schedule
    if not schedule.cron:
        return timedelta(seconds=schedule.interval_seconds or 1800)
    from monitor.runner.scheduler import build_trigger

    trigger = build_trigger(schedule)
    trigger.jitter = None
    first = trigger.get_next_fire_time(None, datetime.now(UTC))
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    if first is None or second is None:
        return timedelta(days=1)
    return timedelta(seconds=(second - first).total_seconds())


def _run(run: Run) -> dict[str, Any]:
    crawl = (run.stats or {}).get("crawl") or {}
    cycle = (run.stats or {}).get("cycle") or {}
    return {
        "id": run.id,
        "kind": run.kind,
        "status": run.status.value,
        "exit_code": run.exit_code,
        "pid": run.pid,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "crawl": {k: crawl[k] for k in _RUN_STATS if k in crawl},
        "changes": cycle.get("changes"),
        "alerts_sent": cycle.get("sent"),
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def _text(report: dict[str, Any]) -> str:
    lines = [f"mofawatch: {'healthy' if report['healthy'] else 'UNHEALTHY'}"]
    lines += [f"  problem: {p}" for p in report["problems"]]
    docs = report["documents"]
    lines.append(
        f"documents: {docs.get('total', 0)} ("
        + ", ".join(f"{k} {v}" for k, v in docs.items() if k != "total")
        + f"); versions: {report['versions']}"
    )
    lines.append(
        "alerts: " + ", ".join(f"{k} {v}" for k, v in report["alerts"].items())
    )
    lines.append("sections:")
    lines += [
        f"  {s['name']:<18} {s['state']:<8} since {s['since']}"
        + (f"  ({s['last_error']})" if s["last_error"] else "")
        for s in report["sections"]
    ]
    lines.append("last runs:")
    for run in report["runs"]:
        crawl = " ".join(f"{k}={v}" for k, v in run["crawl"].items())
        lines.append(
            f"  #{run['id']} {run['kind']:<6} {run['started_at']} "
            f"{run['status']:<7} exit={run['exit_code']} {crawl}"
        )
    return "\n".join(lines)
