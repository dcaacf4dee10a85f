"""Pages of changes, newest first, filtered, by keyset (never OFFSET)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, select, tuple_
from sqlalchemy.orm import Session, aliased

from storage.browse.search import matching_documents
from storage.models import Change, Document, Version
from storage.vocabulary import ChangeKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """What the Changes page asks for; empty tuples mean any."""

    events: tuple[ChangeKind, ...] = ()
    kinds: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    since: datetime | None = None  # detected at or after
    until: datetime | None = None  # detected before
    text: str | None = None
    before: int | None = None  # a change id: the page starts after it
    limit: int = 50


@dataclass(frozen=True, slots=True)
class ChangeItem:
    id: int
    detected_at: datetime
    kind: str
    document_id: int
    doc_id: str
    url: str
    title: str | None
    date: str | None
    doc_kind: str
    section: str | None
    language: str
    from_seq: int | None
    to_seq: int | None
    fields: tuple[str, ...]
    is_silent: bool


@dataclass(frozen=True, slots=True)
class ChangePage:
    items: tuple[ChangeItem, ...]
    next_before: int | None  # the `before` of the next (older) page; None: last page


def change_page(session: Session, wanted: ChangeFilter) -> ChangePage:
    """One page of changes matching `wanted`, newest first."""
    rows = session.execute(_statement(session, wanted).limit(wanted.limit + 1)).all()
    items = tuple(_item(*row) for row in rows[: wanted.limit])
    more = len(rows) > wanted.limit
    return ChangePage(items, items[-1].id if more and items else None)


def _statement(
    session: Session, wanted: ChangeFilter
) -> Select[Change, Document, int, int]:
    old, new = aliased(Version), aliased(Version)
    stmt = (
        select(Change, Document, old.seq, new.seq)
        .join(Document, Document.id == Change.document_id)
        .outerjoin(old, old.id == Change.from_version_id)
        .outerjoin(new, new.id == Change.to_version_id)
        .order_by(Change.detected_at.desc(), Change.id.desc())
    )
    for condition in _conditions(session, wanted):
        stmt = stmt.where(condition)
    return stmt


def _conditions(session: Session, wanted: ChangeFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if wanted.events:
        found.append(Change.kind.in_(wanted.events))
    # The document's columns are compared as expressions (`|| ''`), so that no index
    # on them is used (section has one, for the list of sections): each value is
    # shared by thousands of documents, and walking the changes newest first,
    # stopping at a page, beats sorting all of them.
    if wanted.kinds:
        found.append(Document.kind.concat("").in_(wanted.kinds))
    if wanted.sections:
        found.append(Document.section.concat("").in_(wanted.sections))
    if wanted.languages:
        found.append(Document.language.concat("").in_(wanted.languages))
    if wanted.since is not None:
        found.append(Change.detected_at >= wanted.since)
    if wanted.until is not None:
        found.append(Change.detected_at < wanted.until)
    if wanted.text:
        # `+ 0` again: probing the matches while walking the changes in order stays
        # near the cost of the search itself, where a word found in most documents
        # would otherwise have every one of their changes sorted.
        matches = matching_documents(session, wanted.text)
        found.append((Change.document_id + 0).in_(matches))
    if wanted.before is not None:
        at = select(Change.detected_at).where(Change.id == wanted.before)
        found.append(
            tuple_(Change.detected_at, Change.id)
            < tuple_(at.scalar_subquery(), wanted.before)
        )
    return found


def _item(
    change: Change, document: Document, from_seq: int | None, to_seq: int | None
) -> ChangeItem:
    fields = dict.fromkeys(str(d["field"]) for d in change.diff or () if "field" in d)
    return ChangeItem(
        id=change.id,
        detected_at=change.detected_at,
        kind=change.kind.value,
        document_id=document.id,
        doc_id=document.doc_id,
        url=document.url,
        title=document.title,
        date=document.date,
        doc_kind=document.kind,
        section=document.section,
        language=document.language,
        from_seq=from_seq,
        to_seq=to_seq,
        fields=tuple(fields),
        is_silent=change.is_silent,
    )


def change_sections(session: Session) -> list[str]:
    """The sections documents have, for the filter's choices."""
    stmt = select(Document.section).where(Document.section.is_not(None)).distinct()
    return sorted(str(s) for s in session.scalars(stmt))
