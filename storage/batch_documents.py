"""The documents and versions of a batch of extracted pages (storage.ingest_batch)."""

from __future__ import annotations

import functools
import logging
import typing
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from storage import keyframes
from storage.bulk import Conflict, insert_ignoring, insert_rows
from storage.ingest import BatchItem
from storage.models import Document, DocumentState, SnapshotBody, Version
from storage.versions import RecordResult, document_fields

logger = logging.getLogger(__name__)

_documents = typing.cast(Table, Document.__table__)
_versions = typing.cast(Table, Version.__table__)
_bodies = typing.cast(Table, SnapshotBody.__table__)
_UPDATE_DOCUMENT = update(_documents).where(_documents.c.id == bindparam("pk"))


def insert_ignore(session: Session, table: str) -> Any:
    return _insert_ignore_stmt(session.get_bind().dialect.name, table)


@functools.cache
def _insert_ignore_stmt(dialect: str, table: str) -> Any:
    if table == "bodies":
        return insert_ignoring(dialect, _bodies, ["sha256"])
    stmt = insert_ignoring(dialect, _documents, ["url"])
    return stmt.returning(_documents.c.url, _documents.c.id)


@dataclass(slots=True)
class _Writes:
    """What a batch writes to documents and versions, gathered before writing."""

    extractor_version: str
    records: dict[str, RecordResult] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    versioned: list[tuple[str, int, int, bool]] = field(default_factory=list)

    def add_version(
        self,
        item: BatchItem,
        snapshot_id: int,
        document_id: int,
        seq: int,
        *,
        new: bool,
    ) -> None:
        """Version `seq` of the document (`new`: the document is new in this batch)."""
        assert item.document is not None
        self.versions.append(
            {
                "document_id": document_id,
                "seq": seq,
                "content_sha256": item.digest,
                "content": dict(item.document),
                "extractor_version": self.extractor_version[:32],
                "snapshot_id": snapshot_id,
                "created_at": item.now,
                "detected_at": None,
            }
        )
        self.versioned.append((item.fetch.url, document_id, seq, new))


def record_documents(
    session: Session,
    items: list[BatchItem],
    snapshot_ids: list[int],
    extractor_version: str,
) -> dict[str, RecordResult]:
    """record_version + note_fetched + note_present for every extracted item."""
    wanted = [
        (item, snapshot_id)
        for item, snapshot_id in zip(items, snapshot_ids, strict=True)
        if item.document is not None
    ]
    if not wanted:
        return {}
    existing = _lock_documents(session, [item.fetch.url for item, _ in wanted])
    changed = [
        row.id
        for item, _ in wanted
        if (row := existing.get(item.fetch.url)) is not None
        and row.content_sha256 != item.digest
    ]
    newest = _newest_versions(session, changed)
    new_documents = _insert_documents(
        session, [item for item, _ in wanted if item.fetch.url not in existing]
    )
    writes = _Writes(extractor_version)
    for item, snapshot_id in wanted:
        url = item.fetch.url
        if url in new_documents:
            writes.add_version(item, snapshot_id, new_documents[url], 1, new=True)
        else:
            row = existing[url]
            _seen_again(writes, item, snapshot_id, row, newest.get(row.id))
    return _write(session, writes)


def _lock_documents(session: Session, urls: list[str]) -> dict[str, Any]:
    """url -> (id, content_sha256, last_seq, state) of the known documents."""
    lookup = select(
        _documents.c.url,
        _documents.c.id,
        _documents.c.content_sha256,
        _documents.c.last_seq,
        _documents.c.state,
    ).where(_documents.c.url.in_(urls))
    # PostgreSQL: the row locks order concurrent writers of these documents.
    rows = session.connection().execute(lookup.with_for_update())
    return {row.url: row for row in rows}


def _seen_again(
    writes: _Writes,
    item: BatchItem,
    snapshot_id: int,
    row: Any,
    last: tuple[int, str] | None,
) -> None:
    """A known document fetched again: present, and a new version if it changed."""
    url, now, document, digest = item.fetch.url, item.now, item.document, item.digest
    assert document is not None
    present = {"pk": row.id, "last_seen_at": now, "last_fetched_at": now}
    present["next_due_at"] = None  # the next plan schedules it anew
    present |= {"last_status": item.fetch.status, "missing_count": 0}
    if row.state != DocumentState.LIVE:
        present |= {"state": DocumentState.LIVE, "state_since": now}
    if row.content_sha256 == digest or (last is not None and last[1] == digest):
        if row.content_sha256 != digest:
            present |= {"last_seq": last[0] if last else 0, "content_sha256": digest}
        writes.updates.append(present)
        writes.records[url] = RecordResult(row.id, None, None, False, False)
        return
    seq = max(row.last_seq, last[0] if last is not None else 0) + 1
    fields = document_fields(url, document)
    if not document.get("doc_id"):
        del fields["doc_id"]
    writes.updates.append(
        present | fields | {"last_seq": seq, "content_sha256": digest}
    )
    writes.add_version(item, snapshot_id, row.id, seq, new=False)


def _write(session: Session, writes: _Writes) -> dict[str, RecordResult]:
    _update_documents(session, writes.updates)
    records = writes.records
    if writes.versions:
        keyframes.encode(session, writes.versions)
        version_ids = insert_rows(session, _versions, writes.versions)
        for (url, document_id, seq, is_new), version_id in zip(
            writes.versioned, version_ids, strict=True
        ):
            records[url] = RecordResult(document_id, version_id, seq, is_new, True)
    _expire_documents(session, {r.document_id for r in records.values()})
    return records


def _newest_versions(session: Session, document_ids: list[int]) -> dict[int, Any]:
    """document id -> (seq, content_sha256) of its newest version."""
    if not document_ids:
        return {}
    top = (
        select(_versions.c.document_id, func.max(_versions.c.seq).label("seq"))
        .where(_versions.c.document_id.in_(document_ids))
        .group_by(_versions.c.document_id)
        .subquery()
    )
    stmt = select(top.c.document_id, top.c.seq, _versions.c.content_sha256).join(
        _versions,
        (_versions.c.document_id == top.c.document_id) & (_versions.c.seq == top.c.seq),
    )
    return {row[0]: (row[1], row[2]) for row in session.connection().execute(stmt)}


def _insert_documents(session: Session, items: list[BatchItem]) -> dict[str, int]:
    """Insert the new documents as they stand after their first version."""
    if not items:
        return {}
    rows = []
    for item in items:
        assert item.document is not None
        now = item.now
        rows.append(
            document_fields(item.fetch.url, item.document)
            | {
                "url": item.fetch.url,
                "first_seen_at": now,
                "last_seen_at": now,
                "last_fetched_at": now,
                "last_status": item.fetch.status,
                "state": DocumentState.LIVE,
                "state_since": now,
                "missing_count": 0,
                "last_seq": 1,
                "content_sha256": item.digest,
            }
        )
    stmt = insert_ignore(session, "documents")
    created = {url: pk for url, pk in session.connection().execute(stmt, rows)}
    if len(created) != len(rows):
        raise Conflict
    return created


def _update_documents(session: Session, updates: list[dict[str, Any]]) -> None:
    # One executemany per set of columns.
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values in updates:
        groups.setdefault(tuple(sorted(values)), []).append(values)
    db = session.connection()
    for group in groups.values():
        db.execute(_UPDATE_DOCUMENT, group)


def _expire_documents(session: Session, document_ids: set[int]) -> None:
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Document) and obj.id in document_ids:
            session.expire(obj)
