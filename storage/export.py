"""What export and the feed read: documents with their newest version, and changes.

Rows come back as plain values; the feed pages through the versions changes made, by
(captured at, version id), newest first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from storage.models import Change, ChangeKind, Document, Snapshot, Version


@dataclass(frozen=True, slots=True)
class ExportedDocument:
    """A document's newest Document and its presence bookkeeping."""

    document_id: int
    content: dict[str, Any]
    first_seen_at: datetime
    last_seen_at: datetime
    versions: int
    state: str


def exported_documents(
    session: Session, *, kinds: Sequence[str] = (), since: str | None = None
) -> Iterator[ExportedDocument]:
    """Documents (filtered by kind and date, inclusive) in URL order."""
    counts = (
        select(
            Version.document_id,
            func.count().label("n"),
            func.max(Version.seq).label("top"),
        )
        .group_by(Version.document_id)
        .subquery()
    )
    newest = aliased(Version)
    stmt = (
        select(Document, newest, counts.c.n)
        .join(counts, counts.c.document_id == Document.id)
        .join(
            newest,
            (newest.document_id == Document.id) & (newest.seq == counts.c.top),
        )
        .order_by(Document.url)
    )
    if kinds:
        stmt = stmt.where(Document.kind.in_(tuple(kinds)))
    if since:
        stmt = stmt.where(Document.date >= since)
    # Read 500 rows at a time, so memory stays flat whatever the archive's size.
    for document, version, n in session.execute(stmt.execution_options(yield_per=500)):
        yield ExportedDocument(
            document_id=document.id,
            content=dict(version.content),
            first_seen_at=document.first_seen_at,
            last_seen_at=document.last_seen_at,
            versions=int(n),
            state=str(document.state),
        )


@dataclass(frozen=True, slots=True)
class FeedChange:
    """A new or updated change with its document and the version it made."""

    change_id: int
    kind: str
    url: str
    doc_kind: str
    content: dict[str, Any]
    diff: tuple[dict[str, Any], ...]
    detected_at: datetime
    captured_at: datetime  # when the new content was fetched
    seq: int
    is_silent: bool
    reason: str | None
    extractor_only: bool  # an update of the same body by another extractor


def feed_keys(
    session: Session,
    kinds: Sequence[ChangeKind],
    since: datetime | None,
    after: tuple[datetime, int] | None,
    limit: int,
    only: Collection[int] | None = None,
) -> list[tuple[datetime, int]]:
    """(captured at, version id) of the versions that a change of these kinds made,
    newest first: the first `limit` captured at or after `since` and before `after`
    (made by the change ids `only`, when given).

    The walk goes down the versions' capture-time index and stops after `limit`; the
    change is looked up per version. Joined the other way, SQLite (without
    statistics) sorted every change of the archive to return a page of fifty.
    """
    made = exists().where(Change.to_version_id == Version.id, Change.kind.in_(kinds))
    if only is not None:
        made = made.where(Change.id.in_(tuple(only)))
    stmt = (
        select(Version.created_at, Version.id)
        .where(made)
        .order_by(Version.created_at.desc(), Version.id.desc())
        .limit(limit)
    )
    if since is not None:
        stmt = stmt.where(Version.created_at >= since)
    if after is not None:
        stmt = stmt.where(
            or_(
                Version.created_at < after[0],
                and_(Version.created_at == after[0], Version.id < after[1]),
            )
        )
    return [(when, version_id) for when, version_id in session.execute(stmt)]


def feed_changes(
    session: Session,
    version_ids: list[int],
    kinds: Sequence[ChangeKind],
    only: Collection[int] | None = None,
) -> list[FeedChange]:
    """The changes of these kinds that made these versions (among `only`, when
    given), with their documents and versions, in the versions' order."""
    # The kinds are chosen here, not in SQL: there SQLite (without statistics) would
    # walk the kind index through every change of those kinds, not the few changes
    # that made these versions.
    wanted = set(kinds)
    rows: dict[int, list[FeedChange]] = {}
    for change, document, version in session.execute(changes_making(version_ids, only)):
        if change.kind not in wanted:
            continue
        rows.setdefault(version.id, []).append(
            _feed_change(session, change, document, version)
        )
    return [row for i in version_ids for row in rows.get(i, ())]


def changes_making(
    version_ids: list[int], only: Collection[int] | None = None
) -> Select[Change, Document, Version]:
    """The changes that made these versions (among the change ids `only`, when
    given), newest first, with their documents and versions: looked up through
    each version's changes."""
    stmt = (
        select(Change, Document, Version)
        .join(Document, Document.id == Change.document_id)
        .join(Version, Version.id == Change.to_version_id)
        .where(Version.id.in_(version_ids))
        .order_by(Change.id.desc())
    )
    if only is not None:
        stmt = stmt.where(Change.id.in_(tuple(only)))
    return stmt


def _feed_change(
    session: Session, change: Change, document: Document, version: Version
) -> FeedChange:
    return FeedChange(
        change_id=change.id,
        kind=str(change.kind),
        url=document.url,
        doc_kind=document.kind,
        content=dict(version.content),
        diff=tuple(change.diff or ()),
        detected_at=change.detected_at,
        captured_at=version.created_at,
        seq=version.seq,
        is_silent=bool(change.is_silent),
        reason=change.reason,
        extractor_only=change.kind == ChangeKind.UPDATED
        and _extractor_only(session, change),
    )


def _extractor_only(session: Session, change: Change) -> bool:
    ids = (change.from_version_id, change.to_version_id)
    if None in ids:
        return False
    old, new = (session.get(Version, i) for i in ids)
    if old is None or new is None or old.extractor_version == new.extractor_version:
        return False
    bodies = {_body_sha(session, old), _body_sha(session, new)}
    return len(bodies) == 1 and None not in bodies


def _body_sha(session: Session, version: Version) -> str | None:
    if version.snapshot_id is None:
        return None
    snapshot = session.get(Snapshot, version.snapshot_id)
    return None if snapshot is None else snapshot.body_sha256
