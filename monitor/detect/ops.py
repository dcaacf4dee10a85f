"""Operational conditions (blocked, failing, layout drift, silence), announced once.

Each condition's state lives in ops_conditions; an OpsEvent and its alerts are written
only when a condition starts or ends, so a block lasting three cycles is one message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from crawler.contract import CrawlStats
from monitor.alerts.rules import ops_channels
from monitor.config import Settings
from storage.conditions import (
    ConditionEvent,
    count_streak,
    move_condition,
    newest_first_seen,
)
from storage.db import DbSession, SessionFactory, unit_of_work
from storage.extraction_paths import extraction_path_counts, fields_lost
from storage.outbox import enqueue_alert
from storage.runs import get_run
from storage.sections import section_health
from storage.vocabulary import ExtractionPath, SectionState

logger = logging.getLogger(__name__)

SITE = "site"
DETAIL_PAGES = "detail_pages"  # the subject of the documents' own conditions
REQUIRED_FIELDS = ("title", "date", "body")
MIN_DRIFT_SAMPLE = 3  # fewer extracted pages than this say nothing about the layout


def evaluate_ops(
    factory: SessionFactory, settings: Settings, now: datetime, *, run_id: int
) -> list[int]:
    """Update every condition from this run; return the ids of new OpsEvents."""
    events: list[ConditionEvent] = []
    with unit_of_work(factory) as session:
        run = get_run(session, run_id)
        started_at = run.started_at if run else now
        crawl = (CrawlStats.from_run(run.stats) if run else None) or CrawlStats()
        sections = _section_outcomes(session, crawl, started_at)
        for subject, active in _blocked(crawl, sections).items():
            events += move_condition(
                session,
                "blocked",
                subject,
                active,
                now,
                {"sections": sorted(sections), "run_id": run_id},
            )
        events += _failing(session, settings, sections, now, run_id)
        events += _detail_pages(session, settings, crawl, now, run_id)
        drift, detail = _drift(session, settings, crawl, run_id)
        events += move_condition(session, "layout_drift", SITE, drift, now, detail)
        silent, detail = _silence(session, settings, now)
        events += move_condition(session, "silence", SITE, silent, now, detail)
        for event in events:
            for channel in ops_channels(settings):
                enqueue_alert(session, channel=channel, now=now, ops_event_id=event.id)
        ids = [event.id for event in events]
    for event in events:
        logger.warning("ops: %s %s %s", event.kind, event.subject, event.phase)
    return ids


def _section_outcomes(
    session: DbSession, crawl: CrawlStats, started_at: datetime
) -> dict[str, SectionState]:
    """Each section's state in this run (crawl stats, else section health)."""
    if crawl.sections:
        return dict(crawl.sections)
    return {
        s.name: s.state
        for s in section_health(session)
        if s.last_checked_at is not None and s.last_checked_at >= started_at
    }


def _blocked(
    crawl: CrawlStats, sections: Mapping[str, SectionState]
) -> dict[str, bool | None]:
    """Blocked everywhere is one site-wide condition; otherwise one per section."""
    states: dict[str, bool | None] = {}
    index_pages = crawl.index_pages
    all_index_blocked = crawl.all_index_blocked or (
        index_pages > 0 and crawl.index_blocked >= index_pages
    )
    blocked, failing = SectionState.BLOCKED, SectionState.FAILING
    if sections:
        everywhere = all(v is blocked for v in sections.values()) or all_index_blocked
        states[SITE] = everywhere
        for name, outcome in sections.items():
            # While the whole site is blocked, per-section conditions stay as they were.
            states[name] = (
                None if everywhere or outcome is failing else outcome is blocked
            )
    elif index_pages:
        states[SITE] = all_index_blocked
    return states


def _failing(
    session: DbSession,
    settings: Settings,
    sections: Mapping[str, SectionState],
    now: datetime,
    run_id: int,
) -> list[ConditionEvent]:
    events: list[ConditionEvent] = []
    for name, outcome in sections.items():
        if outcome is SectionState.BLOCKED:
            continue  # blocked is its own condition: neither adds to nor ends failing
        failing = outcome is SectionState.FAILING
        streak = count_streak(session, "failing", name, now, bad=failing)
        active = streak >= settings.ops.failing_cycles
        detail = {"cycles": streak, "run_id": run_id}
        events += move_condition(session, "failing", name, active, now, detail)
    return events


def _detail_pages(
    session: DbSession,
    settings: Settings,
    crawl: CrawlStats,
    now: datetime,
    run_id: int,
) -> list[ConditionEvent]:
    """Documents failing, or blocked, in at least half their fetches for
    failing_cycles cycles in a row, while the index pages may answer fine."""
    if crawl.all_index_blocked:
        return []  # the site-wide block says it already
    answered = crawl.new_versions + crawl.unchanged + crawl.missing
    answered += crawl.extract_errors
    events: list[ConditionEvent] = []
    for kind, bad in (("failing", crawl.failed), ("blocked", crawl.blocked)):
        if bad + answered == 0:
            continue  # no document fetched: nothing learned, the streak stands
        streak = count_streak(
            session, kind, DETAIL_PAGES, now, bad=bool(bad) and bad >= answered
        )
        detail = {
            "cycles": streak,
            kind: bad,
            "answered": answered,
            "run_id": run_id,
        }
        active = streak >= settings.ops.failing_cycles
        events += move_condition(session, kind, DETAIL_PAGES, active, now, detail)
    return events


def _drift(
    session: DbSession, settings: Settings, crawl: CrawlStats, run_id: int
) -> tuple[bool | None, dict[str, Any]]:
    """Layout drift: pages the extractor cannot read, fields lost, or a share of the
    extracted pages found only by the structural fallback (one condition for all)."""
    errors = crawl.extract_errors
    extracted = crawl.new_versions + crawl.unchanged + errors
    missing = fields_lost(session, run_id, REQUIRED_FIELDS)
    share = errors / extracted if extracted > 0 else 0.0
    fallback, found = _fallback(session, run_id)
    fallback_share = fallback / found if found > 0 else 0.0
    detail = {
        "extract_errors": errors,
        "extracted": extracted,
        "share": round(share, 3),
        "missing_fields": missing,
        "fallback_pages": fallback,
        "fallback_share": round(fallback_share, 3),
    }
    limit = settings.ops.drift_share
    if (
        missing
        or (extracted >= MIN_DRIFT_SAMPLE and share > limit)
        or (found >= MIN_DRIFT_SAMPLE and fallback_share > limit)
    ):
        return True, detail
    if extracted > 0:
        return False, detail
    return None, detail


def _fallback(session: DbSession, run_id: int) -> tuple[int, int]:
    """(pages read by the structural fallback, pages extracted) in the run."""
    counts = extraction_path_counts(session, run_id)
    return counts[ExtractionPath.STRUCTURE], sum(counts.values())


def _silence(
    session: DbSession, settings: Settings, now: datetime
) -> tuple[bool | None, dict[str, Any]]:
    newest = newest_first_seen(session)
    if newest is None:
        return None, {}
    days = (now - newest) / timedelta(days=1)
    detail = {
        "last_new_at": newest.isoformat(),
        "days": round(days, 1),
        "limit_days": settings.ops.silence_days,
    }
    return days > settings.ops.silence_days, detail
