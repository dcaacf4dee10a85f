"""A simulated month of cycles: what the planner asks for, cycle after cycle.

simulate_month runs the crawl's own planner at each cycle's time and records what it
planned as fetched (304 snapshots for the index pages, a fetch time for each revisit),
so the next plan sees what a real crawl would have left. former_rule_counts applies
the rule the planner had before budgets and staggering (every due document at once)
to the same documents and cycles, in memory.
"""

from __future__ import annotations

import heapq
import time
import typing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, update
from sqlalchemy.orm import Session, sessionmaker

from crawler import plan
from crawler.revisit import RevisitState, document_age, is_due, revisit_interval
from monitor.config import Settings
from monitor.runner.budget import cycle_seconds, revisit_budget
from storage.db import unit_of_work
from storage.models import Document, Snapshot
from tests.sitegen import GeneratedSite

_documents = typing.cast(Table, Document.__table__)
_snapshots = typing.cast(Table, Snapshot.__table__)


@dataclass
class Month:
    budget: int
    interval: timedelta
    times: list[datetime] = field(default_factory=list)
    index_pages: list[int] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    plan_seconds: list[float] = field(default_factory=list)


def simulate_month(
    settings: Settings, factory: Any, start: datetime, days: int
) -> Month:
    interval = timedelta(seconds=cycle_seconds(settings, start))
    month = Month(revisit_budget(settings, start), interval)
    typed = typing.cast(sessionmaker[Session], factory)
    first = settings.site.since
    archives = plan.ArchivePolicy(since=(int(first[:4]), int(first[5:])))
    now = start
    while now < start + timedelta(days=days):
        now += interval
        began = time.perf_counter()
        planned = plan.load_plan(
            typed,
            base_url=settings.site.base_url,
            sections=settings.site.sections,
            now=now,
            revisit=settings.site.revisit,
            archives=archives,
            budget=month.budget,
        )
        month.plan_seconds.append(time.perf_counter() - began)
        index = len(planned.entry_pages) + len(planned.archives)
        month.times.append(now)
        month.index_pages.append(index)
        month.requests.append(index + len(planned.revisits))
        _record(typed, planned, now)
    return month


def _record(
    factory: sessionmaker[Session], planned: plan.CrawlPlan, now: datetime
) -> None:
    index = [*planned.entry_pages, *planned.archives]
    with unit_of_work(factory) as session:
        db = session.connection()
        if index:
            rows = [{"url": u, "fetched_at": now, "status": 304} for u in index]
            db.execute(insert(_snapshots), rows)
        if planned.revisits:
            db.execute(
                update(_documents)
                .where(_documents.c.url.in_(planned.revisits))
                .values(last_fetched_at=now, next_due_at=None)
            )


def former_rule_counts(
    site: GeneratedSite,
    herd: datetime,
    start: datetime,
    month: Month,
    settings: Settings,
) -> list[int]:
    """Requests per cycle under the former rule: the same index pages, and every
    document that is_due says is due, all in the cycle they fall due."""
    policy = settings.site.revisit
    queue: list[tuple[datetime, int]] = []
    states: list[RevisitState] = []
    for n, path in enumerate(site.detail_paths):
        day = site.dates[path]
        seen = datetime.combine(day, datetime.min.time(), UTC)
        states.append(RevisitState(seen, herd, published_on=day))
        _push(queue, states[n], n, herd, policy)
    counts = []
    for now, index in zip(month.times, month.index_pages, strict=True):
        fetched = 0
        while queue and queue[0][0] <= now:
            _when, n = heapq.heappop(queue)
            state = states[n]
            if is_due(state, now, policy):
                fetched += 1
                state = states[n] = RevisitState(
                    state.first_seen_at, now, published_on=state.published_on
                )
            _push(queue, state, n, now, policy)
        counts.append(index + fetched)
    return counts


def _push(
    queue: list[tuple[datetime, int]],
    state: RevisitState,
    n: int,
    at: datetime,
    policy: Any,
) -> None:
    interval = revisit_interval(document_age(state, at), policy)
    if interval is not None and state.last_fetched_at is not None:
        later = max(state.last_fetched_at + interval, at + timedelta(seconds=1))
        heapq.heappush(queue, (later, n))
