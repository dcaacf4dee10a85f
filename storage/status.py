"""The figures `mofawatch status` judges: recent runs, sections, counts, alerts."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.frontier import count_due
from storage.models import (
    AlertStatus,
    Baseline,
    ContentDictionary,
    Document,
    DocumentState,
    Run,
    RunStatus,
    Section,
    SectionState,
    Version,
)
from storage.outbox import alert_counts
from storage.pairs import median_lag_days
from storage.runs import last_runs
from storage.sections import section_health

logger = logging.getLogger(__name__)
TRANSLATION_WINDOW = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class RunFigures:
    id: int
    kind: str
    status: str
    exit_code: int | None
    pid: int | None
    started_at: datetime
    finished_at: datetime | None
    stats: Mapping[str, Any]

    @property
    def is_running(self) -> bool:
        return self.status == RunStatus.RUNNING

    @property
    def is_ok(self) -> bool:
        return self.status == RunStatus.OK


@dataclass(frozen=True, slots=True)
class SectionFigures:
    name: str
    state: str
    since: datetime | None
    consecutive_failures: int
    last_ok_at: datetime | None
    last_error: str | None

    @property
    def is_ok(self) -> bool:
        return self.state == SectionState.OK


@dataclass(frozen=True, slots=True)
class BaselineFigures:
    """A baseline still recording: since when, how far back, what is left."""

    started_at: datetime
    since: str | None  # None: the configured [site] since
    documents: int  # stored so far (the archive's whole count)
    waiting: int  # new documents the newest run left for the next cycles


@dataclass(frozen=True, slots=True)
class DictionaryFigures:
    """One of the archive's trained dictionaries (storage/trained.py) and how far
    what was stored before it has been packed with it again."""

    kind: str  # "versions" or "pages"
    samples: int  # versions it was trained on
    created_at: datetime
    trained_through: int  # the newest version id when it was trained
    repacked_through: int  # versions up to this id are packed with it again


@dataclass(frozen=True, slots=True)
class StatusFigures:
    """Everything stored that `status` reports on, read in one session."""

    runs: tuple[RunFigures, ...]  # newest first
    sections: tuple[SectionFigures, ...]
    documents: Mapping[str, int]  # by state: live, removed, blocked
    versions: int
    alerts: Mapping[str, int]  # by status, every status present
    last_ok_at: datetime | None  # when the newest successful run finished
    baseline: BaselineFigures | None = None
    revisits_due: int = 0  # known documents due for a revisit now
    # Median days from a Japanese page to its English one (pairs of the last 90 days).
    translation_lag_days: float | None = None
    dictionaries: tuple[DictionaryFigures, ...] = ()

    @property
    def dead_alerts(self) -> int:
        return self.alerts.get(AlertStatus.DEAD, 0)


def status_figures(
    session: Session, runs_shown: int, now: datetime | None = None
) -> StatusFigures:
    """The newest `runs_shown` runs and every other figure `status` shows."""
    documents = {
        DocumentState(state).value: int(n)
        for state, n in session.execute(
            select(Document.state, func.count()).group_by(Document.state)
        )
    }
    last_ok = session.scalar(
        select(func.max(Run.finished_at)).where(Run.status == RunStatus.OK)
    )
    runs = tuple(_run(run) for run in last_runs(session, runs_shown))
    return StatusFigures(
        runs=runs,
        sections=tuple(_section(s) for s in section_health(session)),
        documents=documents,
        versions=session.scalar(select(func.count(Version.id))) or 0,
        alerts={s.value: n for s, n in alert_counts(session).items()},
        last_ok_at=last_ok,
        baseline=_baseline(session, sum(documents.values()), runs),
        revisits_due=count_due(session, now) if now is not None else 0,
        translation_lag_days=median_lag_days(
            session, (now or datetime.now(UTC)) - TRANSLATION_WINDOW
        ),
        dictionaries=_dictionaries(session),
    )


def _dictionaries(session: Session) -> tuple[DictionaryFigures, ...]:
    d = ContentDictionary
    stmt = select(
        d.kind, d.samples, d.created_at, d.trained_through, d.repacked_through
    ).order_by(d.kind.desc())
    return tuple(DictionaryFigures(*row) for row in session.execute(stmt))


def _baseline(
    session: Session, documents: int, runs: tuple[RunFigures, ...]
) -> BaselineFigures | None:
    stmt = select(Baseline).where(Baseline.completed_at.is_(None))
    pending = session.scalar(stmt.order_by(Baseline.id.desc()).limit(1))
    if pending is None:
        return None
    finished = [r for r in runs if not r.is_running]
    crawl = finished[0].stats.get("crawl") if finished else None
    waiting = int(crawl.get("deferred", 0)) if isinstance(crawl, Mapping) else 0
    return BaselineFigures(pending.started_at, pending.since, documents, waiting)


def _run(run: Run) -> RunFigures:
    return RunFigures(
        id=run.id,
        kind=run.kind,
        status=run.status.value,
        exit_code=run.exit_code,
        pid=run.pid,
        started_at=run.started_at,
        finished_at=run.finished_at,
        stats=dict(run.stats or {}),
    )


def _section(section: Section) -> SectionFigures:
    return SectionFigures(
        name=section.name,
        state=section.state.value,
        since=section.since,
        consecutive_failures=section.consecutive_failures or 0,
        last_ok_at=section.last_ok_at,
        last_error=section.last_error,
    )
