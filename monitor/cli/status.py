"""`mofawatch status [--json]`: health for people and monitors (exit 0, 1 or 2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import emit, examples, say
from monitor.exitcodes import ExitCode
from monitor.health import RUNS_SHOWN, build_status

__all__ = ["RUNS_SHOWN", "build_status", "status"]


@click.command(
    epilog=examples(
        "mofawatch status",
        "mofawatch status --json | jq .problems",
        "mofawatch status --json | jq -r .next_cycle.at   # when the daemon runs next",
        "HEALTHCHECK CMD mofawatch -q status   # in a Dockerfile",
    )
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_context
def status(ctx: Context, as_json: bool) -> int:
    """Health: last runs, sections, alerts, next scheduled cycle (exit 1 when
    unhealthy).

    The next cycle is the one `mofawatch daemon` would start by the [schedule] of
    the configuration (cron read as crontab reads it, in its time zone; an
    interval counted from the last daemon cycle's start), before jitter.

    Exit 0 when healthy; 1 when a section is blocked or failing, an alert is
    dead, the last run failed, or no run succeeded within three schedule
    intervals; 2 when the database cannot serve.
    """
    from storage.reading import reading
    from storage.status import status_figures

    settings = ctx.settings()
    now = datetime.now(UTC)
    with reading(settings.database_url) as session:
        figures = status_figures(session, RUNS_SHOWN, now)
    report = build_status(figures, settings, now)
    if as_json:
        emit(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    else:
        say(text_report(report))
    return ExitCode.OK if report["healthy"] else ExitCode.FAILED


def _baseline_line(baseline: dict[str, Any]) -> str:
    reach = f" back to {baseline['since']}" if baseline["since"] else ""
    return (
        f"baseline: recording{reach} since {baseline['started_at']}, silently: "
        f"{baseline['documents']} documents stored, {baseline['waiting']} more "
        "listed for the next cycles"
    )


def _dictionaries_line(dictionaries: list[dict[str, Any]]) -> str:
    kinds = ", ".join(
        f"{d['kind']} (trained on {d['samples']} versions)" for d in dictionaries
    )
    behind = [d for d in dictionaries if not d["repacked"]]
    if not behind:
        return f"dictionaries: {kinds}; everything stored before packed with them"
    least = min(behind, key=lambda d: d["repacked_through"])
    return (
        f"dictionaries: {kinds}; packing again what was stored before: through "
        f"version {least['repacked_through']} of {least['trained_through']}, "
        "a part with each batch of new versions"
    )


def text_report(report: dict[str, Any]) -> str:
    """What `status` prints without --json."""
    lines = [f"mofawatch: {'healthy' if report['healthy'] else 'UNHEALTHY'}"]
    lines += [f"  problem: {p}" for p in report["problems"]]
    docs = report["documents"]
    lines.append(
        f"documents: {docs.get('total', 0)} ("
        + ", ".join(f"{k} {v}" for k, v in docs.items() if k != "total")
        + f"); versions: {report['versions']}; revisits due: {report['revisits_due']}"
    )
    if report["baseline"]:
        lines.append(_baseline_line(report["baseline"]))
    if report["dictionaries"]:
        lines.append(_dictionaries_line(report["dictionaries"]))
    lag = report["translation"]["median_lag_days_90d"]
    if lag is not None:
        lines.append(
            f"translations: median lag {lag:g} days (English after Japanese, "
            "last 90 days)"
        )
    lines.append(
        "alerts: " + ", ".join(f"{k} {v}" for k, v in report["alerts"].items())
    )
    nxt = report["next_cycle"]
    lines.append(
        f"next cycle: {nxt['at']} ({nxt['schedule']}, {nxt['timezone']}"
        + (f", up to {nxt['jitter_seconds']} s later" if nxt["jitter_seconds"] else "")
        + ")"
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
