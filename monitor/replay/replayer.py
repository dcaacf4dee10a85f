"""Replay saved responses through the live path: store, detect, dispatch.

Captures from every source are processed in capture-time order, so successive
captures of one page become its version history. Already-stored captures are skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.config import Settings
from monitor.replay.ingest import (
    ALREADY_STORED,
    SOURCE_NAME,
    UNREADABLE,
    ReplayLine,
    ingest_captures,
)
from monitor.replay.sources import (
    Capture,
    Ignored,
    Problem,
    SourceKind,
    read_source,
    source_kind,
)
from storage.db import SessionFactory, opened_database, unit_of_work
from storage.ingest import Extractor
from storage.replaying import newest_alert_id
from storage.runs import finish_run, start_run
from storage.scratch import scratch_database
from storage.vocabulary import RunStatus

if TYPE_CHECKING:
    from monitor.alerts.notifiers.base import Notifier

__all__ = [
    "ALREADY_STORED",
    "UNREADABLE",
    "Collected",
    "ReplayLine",
    "ReplayReport",
    "check_sources",
    "collect",
    "replay",
]

logger = logging.getLogger(__name__)

BODY_BUDGET = 256 * 2**20  # bytes of bodies a replay keeps from reading to storing


@dataclass(frozen=True, slots=True)
class Collected:
    """Captures of every source in capture-time order, and what could not be read."""

    captures: tuple[Capture, ...]
    problems: tuple[Problem, ...]
    ignored: int  # non-page responses (robots.txt, images, CSS, PDFs)


def check_sources(paths: Sequence[str]) -> list[tuple[Path, SourceKind]]:
    """Kinds of the SOURCE arguments; SourceError names the first bad one."""
    return [(Path(p), source_kind(Path(p))) for p in paths]


def collect(
    sources: Iterable[tuple[Path, SourceKind]],
    base_url: str,
    *,
    body_budget: int = BODY_BUDGET,
) -> Collected:
    """Every capture, keeping bodies in memory up to `body_budget` bytes in all.

    A body beyond the budget is dropped and read from its source again when its
    batch is stored: reading twice costs little next to extraction, but holding
    an archive of many gigabytes would not fit.
    """
    captures: list[Capture] = []
    problems: list[Problem] = []
    ignored = 0
    kept = 0
    for path, kind in sources:
        for item in read_source(path, kind, base_url):
            if isinstance(item, Problem):
                logger.info("skipped %s", item)  # the caller reports problems
                problems.append(item)
            elif isinstance(item, Ignored) or not item.is_page:
                ignored += 1
            elif item.body is None or item.body_ref is None:
                captures.append(item)
            elif kept + len(item.body) <= body_budget:
                kept += len(item.body)
                captures.append(item)
            else:
                captures.append(replace(item, body=None))
    captures.sort(key=lambda c: c.fetched_at)  # stable: file order breaks ties
    return Collected(tuple(captures), tuple(problems), ignored)


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """Everything a replay did (or, dry run, would do)."""

    lines: tuple[ReplayLine, ...]
    counts: dict[str, int]
    problems: tuple[Problem, ...]
    ignored: int
    changes: int
    alerts_queued: int
    planned: tuple[tuple[str, str], ...] = ()  # (channel, subject) a dry run would send
    sent: int = 0
    dry_run: bool = False


def replay(
    settings: Settings,
    collected: Collected,
    now: datetime,
    *,
    alerts: bool = False,
    dry_run: bool = False,
    notifiers: Mapping[str, Notifier] | None = None,
    on_progress: Callable[[int], None] | None = None,
    extractor: Extractor | None = None,
) -> ReplayReport:
    """Replay the captures into the configured database (a scratch copy when dry),
    extracted by `extractor` (the current one unless given)."""
    target = (
        scratch_database(settings.database_url)
        if dry_run
        else opened_database(settings.database_url, upgrade=True)
    )
    with target as factory:
        return _replay_into(
            factory,
            settings,
            collected,
            now,
            alerts=alerts,
            dry_run=dry_run,
            notifiers=notifiers,
            on_progress=on_progress,
            extractor=extractor,
        )


def _replay_into(
    factory: SessionFactory,
    settings: Settings,
    collected: Collected,
    now: datetime,
    *,
    alerts: bool,
    dry_run: bool,
    notifiers: Mapping[str, Notifier] | None,
    on_progress: Callable[[int], None] | None,
    extractor: Extractor | None,
) -> ReplayReport:
    from monitor.alerts.dispatch import dispatch_due
    from monitor.detect.changes import detect_changes

    with unit_of_work(factory) as session:
        first_new_alert = newest_alert_id(session) + 1
    with unit_of_work(factory) as session:
        run_id = start_run(session, now, kind=SOURCE_NAME)
    outcome = ingest_captures(
        factory,
        collected.captures,
        run_id=run_id,
        on_progress=on_progress,
        languages=tuple(settings.site.languages),
        extractor=extractor,
    )
    # A dry run always detects loudly: its report says what --alerts would send.
    detected = detect_changes(factory, settings, now, silent=not (alerts or dry_run))
    planned: tuple[tuple[str, str], ...] = ()
    sent = 0
    if dry_run:
        planned = _planned(factory, settings, now, first_new_alert)
    elif alerts:
        sent = dispatch_due(factory, settings, now, notifiers=notifiers).sent
    counts = {
        **outcome.counts,
        "problems": len(collected.problems),
        "ignored": collected.ignored,
        "changes": detected.changes,
        "alerts": detected.alerts,
    }
    _finish(factory, run_id, now, counts, failed=bool(collected.problems))
    return ReplayReport(
        lines=outcome.lines,
        counts=outcome.counts,
        problems=collected.problems,
        ignored=collected.ignored,
        changes=detected.changes,
        alerts_queued=detected.alerts,
        planned=planned,
        sent=sent,
        dry_run=dry_run,
    )


def _planned(
    factory: SessionFactory, settings: Settings, now: datetime, first_new_alert: int
) -> tuple[tuple[str, str], ...]:
    """(channel, subject) of the messages --alerts would send for this replay."""
    from monitor.alerts.dispatch import dispatch_due

    plan = dispatch_due(factory, settings, now, notifiers={}, dry_run=True).planned
    return tuple(
        (p.channel, p.subject)
        for p in plan
        if any(i >= first_new_alert for i in p.alert_ids)
    )


def _finish(
    factory: SessionFactory,
    run_id: int,
    now: datetime,
    counts: dict[str, int],
    *,
    failed: bool,
) -> None:
    with unit_of_work(factory) as session:
        finish_run(
            session,
            run_id,
            now,
            status=RunStatus.FAILED if failed else RunStatus.OK,
            exit_code=1 if failed else 0,
            stats={"replay": counts},
        )
