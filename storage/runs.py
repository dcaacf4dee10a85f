"""Runs (cycles, daemon ticks, replays) and their statistics."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Run, RunStatus

logger = logging.getLogger(__name__)

CYCLE_KINDS = ("run", "daemon")  # runs that crawl (a replay is kind "replay")


def start_run(
    session: Session, now: datetime, *, kind: str = "run", pid: int | None = None
) -> int:
    """Add a RUNNING run and return its id."""
    run = Run(
        kind=kind[:16], started_at=now, status=RunStatus.RUNNING, pid=pid, stats={}
    )
    session.add(run)
    session.flush()
    return run.id


def _get(session: Session, run_id: int) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise LookupError(f"no run with id {run_id}")
    return run


def update_run_stats(session: Session, run_id: int, stats: Mapping[str, Any]) -> None:
    """Merge the keys of stats into the run's statistics (top level only)."""
    run = _get(session, run_id)
    run.stats = {**(run.stats or {}), **stats}


def finish_run(
    session: Session,
    run_id: int,
    now: datetime,
    *,
    status: RunStatus,
    exit_code: int,
    stats: Mapping[str, Any] | None = None,
) -> None:
    """Close the run with its status, exit code and (merged) statistics."""
    run = _get(session, run_id)
    run.finished_at = now
    run.status = status
    run.exit_code = exit_code
    if stats:
        run.stats = {**(run.stats or {}), **stats}


def get_run(session: Session, run_id: int) -> Run | None:
    return session.get(Run, run_id)


def last_runs(session: Session, limit: int = 10) -> list[Run]:
    """The newest runs first."""
    stmt = select(Run).order_by(Run.started_at.desc(), Run.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def last_finished_cycle(session: Session) -> Run | None:
    """The newest cycle that ended (a replay is not one: it crawls nothing)."""
    stmt = (
        select(Run)
        .where(Run.finished_at.is_not(None), Run.kind.in_(CYCLE_KINDS))
        .order_by(Run.started_at.desc(), Run.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def count_finished_runs(session: Session) -> int:
    """Runs that have ended, whatever their status."""
    stmt = select(func.count(Run.id)).where(Run.finished_at.is_not(None))
    return session.scalar(stmt) or 0
