"""What the history commands show: detected changes, and one document's versions."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from storage.models import Change, Document, Snapshot, Version
from storage.packed import content_json
from storage.queries import find_document, versions_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One detected change with the document it concerns (`changes`)."""

    id: int
    detected_at: datetime
    kind: str
    doc_id: str
    url: str
    title: str | None
    date: str | None
    from_seq: int | None
    to_seq: int | None
    fields: tuple[str, ...]
    is_silent: bool
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of `changes --json` (keys are part of the contract)."""
        return {
            "id": self.id,
            "detected_at": self.detected_at.isoformat(),
            "kind": self.kind,
            "doc_id": self.doc_id,
            "url": self.url,
            "title": self.title,
            "date": self.date,
            "from_seq": self.from_seq,
            "to_seq": self.to_seq,
            "fields": list(self.fields),
            "is_silent": self.is_silent,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class VersionRow:
    seq: int
    created_at: datetime
    extractor_version: str
    content_sha256: str
    content: Mapping[str, Any]
    extraction_path: str | None = None  # how its snapshot's content was found


@dataclass(frozen=True, slots=True)
class DocumentHistory:
    """One document and its versions in seq order (`history`, `diff`)."""

    url: str
    doc_id: str
    kind: str
    state: str
    versions: tuple[VersionRow, ...]


PAGE_SIZE = 500  # changes read per query when streaming


def select_changes(
    session: Session, since: datetime | None, limit: int
) -> tuple[Iterable[ChangeRow], tuple[int, int]]:
    """The changes `changes` shows, oldest first, and the widths of their kind and
    doc id columns: the newest `limit` ones, or all (0) read a page at a time."""
    if limit:
        rows = newest_changes(session, limit, since)
        return rows, widths_of(rows)
    return iter_changes(session, since), change_widths(session, since)


def widths_of(rows: Sequence[ChangeRow]) -> tuple[int, int]:
    """The longest kind and doc id among these rows."""
    kinds = max((len(row.kind) for row in rows), default=0)
    return kinds, max((len(row.doc_id) for row in rows), default=0)


def newest_changes(
    session: Session, limit: int, since: datetime | None = None
) -> list[ChangeRow]:
    """The newest `limit` changes (detected at or after `since`), oldest first."""
    stmt = _changes_query(since).order_by(Change.detected_at.desc(), Change.id.desc())
    rows = [_change_row(row) for row in session.execute(stmt.limit(limit))]
    rows.reverse()
    return rows


def iter_changes(
    session: Session, since: datetime | None = None
) -> Iterator[ChangeRow]:
    """Every change detected at or after `since`, oldest first, a page at a time."""
    after: tuple[datetime, int] | None = None
    while True:
        stmt = _changes_query(since).order_by(Change.detected_at, Change.id)
        if after is not None:
            stmt = stmt.where(
                or_(
                    Change.detected_at > after[0],
                    and_(Change.detected_at == after[0], Change.id > after[1]),
                )
            )
        page = [_change_row(row) for row in session.execute(stmt.limit(PAGE_SIZE))]
        yield from page
        if len(page) < PAGE_SIZE:
            return
        after = (page[-1].detected_at, page[-1].id)


def list_changes(session: Session, since: datetime | None = None) -> list[ChangeRow]:
    """Changes detected at or after `since` (all when None), oldest first."""
    return list(iter_changes(session, since))


def change_widths(session: Session, since: datetime | None = None) -> tuple[int, int]:
    """The longest kind and doc id among the changes at or after `since`."""
    stmt = select(
        func.max(func.length(Change.kind)), func.max(func.length(Document.doc_id))
    ).join(Document, Document.id == Change.document_id)
    if since is not None:
        stmt = stmt.where(Change.detected_at >= since)
    kind, doc_id = session.execute(stmt).one()
    return int(kind or 0), int(doc_id or 0)


def _changes_query(since: datetime | None) -> Select[Any]:
    # Columns, not entities: only the shown version's title and date leave its JSON.
    new, old, shown = aliased(Version), aliased(Version), aliased(Version)
    shown_id = func.coalesce(Change.to_version_id, Change.from_version_id)
    stmt = (
        select(
            Change.id,
            Change.detected_at,
            Change.kind,
            Document.doc_id,
            Document.url,
            func.coalesce(_text(content_json(shown.content)["title"]), Document.title),
            func.coalesce(_text(content_json(shown.content)["date"]), Document.date),
            old.seq,
            new.seq,
            Change.diff,
            Change.is_silent,
            Change.reason,
        )
        .join(Document, Document.id == Change.document_id)
        .outerjoin(new, new.id == Change.to_version_id)
        .outerjoin(old, old.id == Change.from_version_id)
        .outerjoin(shown, shown.id == shown_id)
    )
    if since is not None:
        stmt = stmt.where(Change.detected_at >= since)
    return stmt


def _text(value: Any) -> Any:
    # A JSON string member as text; empty counts as absent (as `x or y` would).
    return func.nullif(value.as_string(), "")


def _change_row(row: Row[Any]) -> ChangeRow:
    values: tuple[Any, ...] = tuple(row)
    id_, detected_at, kind, doc_id, url, title, day, from_seq, to_seq = values[:9]
    diff, is_silent, reason = values[9:]
    return ChangeRow(
        id=id_,
        detected_at=detected_at,
        kind=str(kind),
        doc_id=doc_id,
        url=url,
        title=title,
        date=day,
        from_seq=from_seq,
        to_seq=to_seq,
        fields=tuple(sorted({str(d["field"]) for d in diff or () if d.get("field")})),
        is_silent=is_silent,
        reason=reason,
    )


def _extraction_path(session: Session, snapshot_id: int | None) -> str | None:
    snapshot = session.get(Snapshot, snapshot_id) if snapshot_id else None
    path = snapshot.extraction_path if snapshot is not None else None
    return None if path is None else path.value


def document_history(session: Session, key: str) -> DocumentHistory | None:
    """The document whose URL or doc id is `key`, with every version; None if none."""
    document = find_document(session, key)
    if document is None:
        return None
    versions = tuple(
        VersionRow(
            seq=v.seq,
            created_at=v.created_at,
            extractor_version=v.extractor_version,
            content_sha256=v.content_sha256,
            content=v.content or {},
            extraction_path=_extraction_path(session, v.snapshot_id),
        )
        for v in versions_of(session, document.id)
    )
    return DocumentHistory(
        url=document.url,
        doc_id=document.doc_id,
        kind=document.kind,
        state=document.state.value,
        versions=versions,
    )


def first_change_at(session: Session) -> datetime | None:
    """When the oldest change was detected (the feed's creation date)."""
    return session.scalar(select(func.min(Change.detected_at)))
