"""Which documents a pairing pass looks at: those in no pair yet, with their newest
content, and (for a pass bounded by what changed) only those that could pair now.

The pairs table itself is storage.pairs; what makes a pair is monitor.detect.pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from storage.models import Document, Version
from storage.pairs import detected_since, paired_ids


@dataclass(frozen=True, slots=True)
class PairCandidate:
    """A document not yet in a pair, with its newest content."""

    id: int
    url: str
    language: str
    first_seen_at: datetime
    version_id: int
    content: dict[str, Any]
    date: str | None = None  # the document's date (an inferred pair needs the same)


def unpaired_candidates(session: Session, fresh_since: datetime) -> list[PairCandidate]:
    """Documents in no pair yet that could pair now, with the content of their newest
    version, so a pass costs what changed, not the archive: the unpaired documents
    with a version detected since `fresh_since`, the documents their language links
    name, and every unpaired document of the same dates as these (an inferred pair
    needs the same date and exactly one fit, so each date is judged on all of its
    documents)."""
    fresh = [Document.id.in_(detected_since(fresh_since))]
    found = {c.id: c for c in _candidates(session, fresh)}
    _add(found, _linked(session, found.values()))
    _add(found, _of_dates(session, found.values()))
    _add(found, _linked(session, found.values()))
    return sorted(found.values(), key=lambda c: c.id)


LINK_FIELDS = ("english_url", "japanese_url")  # the page's own language links
_IN_CHUNK = 500  # values per IN list (SQLite caps a statement's parameters)


def _candidates(session: Session, where: list[Any]) -> list[PairCandidate]:
    stmt = (
        select(Document, Version.id, Version.content)
        .join(
            Version,
            and_(Version.document_id == Document.id, Version.seq == Document.last_seq),
        )
        .where(Document.id.not_in(paired_ids()), *where)
        .order_by(Document.id)
    )
    return [
        PairCandidate(
            id=doc.id,
            url=doc.url,
            language=doc.language,
            first_seen_at=doc.first_seen_at,
            version_id=version_id,
            content=dict(content or {}),
            date=doc.date,
        )
        for doc, version_id, content in session.execute(stmt)
    ]


def _linked(session: Session, have: Iterable[PairCandidate]) -> list[PairCandidate]:
    have = list(have)
    named = {c.content.get(field) for c in have for field in LINK_FIELDS}
    urls = {str(url) for url in named if url} - {c.url for c in have}
    return _in_chunks(session, Document.url, sorted(urls))


def _of_dates(session: Session, have: Iterable[PairCandidate]) -> list[PairCandidate]:
    return _in_chunks(session, Document.date, sorted({c.date for c in have if c.date}))


def _in_chunks(session: Session, column: Any, values: list[Any]) -> list[PairCandidate]:
    found: list[PairCandidate] = []
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start : start + _IN_CHUNK]
        found.extend(_candidates(session, [column.in_(chunk)]))
    return found


def _add(found: dict[int, PairCandidate], more: Iterable[PairCandidate]) -> None:
    for candidate in more:
        found.setdefault(candidate.id, candidate)
