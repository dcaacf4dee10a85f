"""What a cycle tells: its verdict (exit code, run status, problems) and its lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from monitor.alerts.dispatch import DispatchResult, Planned
from monitor.exitcodes import ExitCode
from monitor.runner.crawl import CrawlResult
from storage.vocabulary import RunStatus


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What a cycle did: its exit code, lines for the user, a dry run's plan."""

    exit_code: int
    lines: tuple[str, ...] = ()
    error: str | None = None
    run_id: int | None = None
    planned: tuple[Planned, ...] = field(default_factory=tuple)


def verdict(
    crawl: CrawlResult, dispatched: DispatchResult | None
) -> tuple[int, RunStatus, list[str]]:
    if crawl.all_index_blocked:
        return (
            ExitCode.BLOCKED,
            RunStatus.BLOCKED,
            ["the site blocked every index page"],
        )
    problems = [] if crawl.ok else [crawl.describe()]
    problems += [f"{k}: {n}" for k, n in crawl.stats.fetch_problems.items()]
    # A section with nothing to read (robots.txt forbids it, every list page is
    # gone) fetched nothing that fails, and must still say so.
    problems += [f"{k}: {e}" for k, e in crawl.stats.failing_sections.items()]
    if dispatched is not None and (dispatched.failed or dispatched.dead):
        problems.append(
            f"alerts not delivered: {dispatched.failed} failed, {dispatched.dead} dead"
        )
    if problems:
        return ExitCode.FAILED, RunStatus.FAILED, problems
    return ExitCode.OK, RunStatus.OK, []


def summary(
    cycle: Mapping[str, Any], documents: int, problems: list[str]
) -> tuple[str, ...]:
    sent = cycle.get("sent", 0)
    if cycle["baseline"]:
        tail = "no alerts sent" if not sent else f"{sent} operational alerts sent"
        lines = [f"baseline recorded: {documents} documents, {tail}"]
        if not cycle.get("baseline_completed"):
            lines.append("baseline not complete: the next run continues it silently")
    else:
        lines = [
            f"cycle done: {cycle.get('changes', 0)} changes, "
            f"{cycle.get('alerts_queued', 0)} alerts queued, {sent} sent"
        ]
    lines += [f"problem: {p}" for p in problems]
    return tuple(lines)


def interrupted_lines(
    signal_name: str, step: str, documents: int, baseline: bool
) -> tuple[str, ...]:
    then = (
        "the baseline is not complete: the next run continues it silently"
        if baseline
        else "what was stored is compared and announced by the next run"
    )
    return (
        f"interrupted by {signal_name} during the {step}: {documents} documents "
        f"stored; {then}",
    )


def crawl_fields(crawl: CrawlResult) -> dict[str, int]:
    """The crawl's figures as log fields of the cycle line."""
    if not crawl.reported:
        return {}
    p = crawl.stats.progress
    return {
        "requests": p.requests,
        "not_modified": p.not_modified,
        "new": p.new_documents,
        "changed": p.changed_documents,
        "failed": p.failed,
        "blocked": p.blocked,
    }
