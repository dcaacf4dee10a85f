"""What a cycle asks of the database: abandoned runs, the baseline it records, counts.

A baseline (the first crawl of an empty archive, or a --since backfill) is silent
and stays open until a cycle of it completes; a cycle that finds one open continues
it, so an interrupted baseline never turns into a flood of "new" alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import (
    SCHEDULER_JOBS_TABLE,
    Baseline,
    Document,
    Run,
    RunStatus,
    SectionState,
    Version,
)
from storage.runs import finish_run, update_run_stats
from storage.sections import record_section_outcome

logger = logging.getLogger(__name__)

JOBS_TABLE = SCHEDULER_JOBS_TABLE  # the daemon's APScheduler job store
ABANDONED_EXIT_CODE = 1


@dataclass(frozen=True, slots=True)
class BaselinePlan:
    """The baseline a cycle records: its row, how far back it reaches, whether it
    continues one an earlier cycle left unfinished."""

    id: int
    since: str | None  # None: the configured [site] since
    continued_from_run: int | None
    started_at: datetime | None = None


def close_abandoned_runs(
    session: Session, now: datetime
) -> list[tuple[int, int | None]]:
    """Mark runs left RUNNING by a killed process as failed; (id, pid) of each.

    Only called under the cycle lock, so no live cycle is still running them.
    """
    closed = []
    for run in session.scalars(select(Run).where(Run.status == RunStatus.RUNNING)):
        finish_run(
            session,
            run.id,
            now,
            status=RunStatus.FAILED,
            exit_code=ABANDONED_EXIT_CODE,
            stats={"cycle": {"error": "abandoned"}},
        )
        closed.append((run.id, run.pid))
    return closed


def open_baseline(
    session: Session, *, since: str | None, site_since: str, run_id: int, now: datetime
) -> BaselinePlan | None:
    """The baseline this cycle records, or None for an ordinary (announcing) cycle.

    An unfinished baseline is continued (reaching back as far as either asks); else
    --since starts a backfill; else an archive without a completed baseline starts
    its first one.
    """
    pending = session.scalar(
        select(Baseline)
        .where(Baseline.completed_at.is_(None))
        .order_by(Baseline.id.desc())
        .limit(1)
    )
    if pending is not None:
        if since is not None and since < (pending.since or site_since):
            pending.since = since
        return BaselinePlan(
            pending.id, pending.since, pending.started_run_id, pending.started_at
        )
    if since is None and session.scalar(select(Baseline.id).limit(1)) is not None:
        return None
    row = Baseline(since=since, started_at=now, started_run_id=run_id)
    session.add(row)
    session.flush()
    return BaselinePlan(row.id, since, None, now)


def complete_baseline(
    session: Session, baseline_id: int, run_id: int, now: datetime
) -> None:
    row = session.get(Baseline, baseline_id)
    if row is None:
        raise LookupError(f"no baseline with id {baseline_id}")
    row.completed_at = now
    row.completed_run_id = run_id


def has_versions(session: Session) -> bool:
    return session.scalar(select(Version.id).limit(1)) is not None


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count(Document.id))) or 0


def count_undetected_versions(session: Session) -> int:
    stmt = select(func.count(Version.id)).where(Version.detected_at.is_(None))
    return session.scalar(stmt) or 0


def record_crawl(
    session: Session,
    run_id: int | None,
    stats: Mapping[str, Any],
    sections: Mapping[str, tuple[SectionState, str | None]],
    now: datetime,
) -> None:
    """Store what a crawl reported: its statistics on the run, each section's health."""
    for name, (state, error) in sections.items():
        record_section_outcome(session, name, state, now, error)
    if run_id is not None:
        update_run_stats(session, run_id, stats)


def baseline_open(session: Session) -> bool:
    """Whether a baseline (first crawl or backfill) has not yet covered its scope."""
    stmt = select(Baseline.id).where(Baseline.completed_at.is_(None)).limit(1)
    return session.scalar(stmt) is not None
