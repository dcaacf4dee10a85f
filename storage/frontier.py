"""The revisit frontier: which known documents are due, asked of an index.

Each document carries next_due_at. A fetch clears it (storage.documents.note_fetched),
and the next plan schedules the documents left unscheduled, so a cycle reads only
what was fetched since the last plan and what is due now, whatever the archive's size.
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from storage.models import Document, DocumentState

logger = logging.getLogger(__name__)

_documents = typing.cast(Table, Document.__table__)
_SCHEDULE = update(_documents).where(_documents.c.id == bindparam("pk"))
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Unscheduled:
    """A document whose next revisit is still to be decided, and what decides it."""

    id: int
    url: str
    first_seen_at: datetime
    last_fetched_at: datetime | None
    is_placeholder: bool
    date: str | None
    missing_count: int
    last_status: int | None
    state: DocumentState


def unscheduled_documents(session: Session) -> list[Unscheduled]:
    """Documents without a due time: new ones and those fetched since the last plan."""
    stmt = (
        select(
            Document.id,
            Document.url,
            Document.first_seen_at,
            Document.last_fetched_at,
            Document.is_placeholder,
            Document.date,
            Document.missing_count,
            Document.last_status,
            Document.state,
        )
        .where(Document.next_due_at.is_(None))
        .order_by(Document.id)
    )
    return [Unscheduled(*row) for row in session.execute(stmt)]


def schedule_documents(session: Session, due: Iterable[tuple[int, datetime]]) -> int:
    """Store each (document id, next due time); the number of documents scheduled."""
    rows = [{"pk": pk, "next_due_at": when} for pk, when in due]
    if rows:
        session.connection().execute(_SCHEDULE, rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class DueScope:
    """Which URLs a plan may revisit: those under `within`, none under `outside`."""

    within: str | None = None
    outside: str | None = None


def due_urls(
    session: Session, now: datetime, limit: int | None, scope: DueScope = DueScope()
) -> list[str]:
    """URLs due at `now` in `scope`, most overdue first, at most `limit` (None: all)."""
    stmt = (
        select(Document.url)
        .where(Document.next_due_at <= now)
        .order_by(Document.next_due_at, Document.id)
    )
    if scope.within is not None:
        stmt = stmt.where(Document.url.startswith(scope.within, autoescape=True))
    if scope.outside is not None:
        stmt = stmt.where(~Document.url.startswith(scope.outside, autoescape=True))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def count_due(session: Session, now: datetime) -> int:
    """How many documents are due at `now` (an index range count)."""
    stmt = select(func.count()).where(Document.next_due_at <= now)
    return session.scalar(stmt) or 0


def known_among(session: Session, urls: Sequence[str]) -> set[str]:
    """The URLs among `urls` that are known documents (by the unique URL index)."""
    wanted = list(dict.fromkeys(urls))
    known: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        known.update(
            session.scalars(select(Document.url).where(Document.url.in_(chunk)))
        )
    return known
