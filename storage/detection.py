"""What detect asks and records: undiffed versions, their history, presence flips,
and the Change rows it writes."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from storage import keyframes
from storage.alert_content import bare_content
from storage.bulk import insert_rows
from storage.models import Change, Document, Snapshot, Version
from storage.queries import undetected, versions_of
from storage.vocabulary import ChangeKind, DocumentState

_changes = typing.cast(Table, Change.__table__)
_versions = typing.cast(Table, Version.__table__)
_MARK_DETECTED = (
    update(_versions)
    .where(_versions.c.id == bindparam("vid"))
    .values(detected_at=bindparam("at"))
)
_UNDIFFED = undetected(Version.id)


@dataclass(frozen=True, slots=True)
class PendingVersion:
    """A version detect has not compared yet."""

    id: int
    document_id: int
    seq: int
    date: str | None  # the document's date (YYYY-MM-DD), if it has one


@dataclass(frozen=True, slots=True)
class VersionFacts:
    """What judging a version needs of it."""

    id: int
    content: dict[str, Any]
    content_sha256: str
    extractor_version: str
    snapshot_id: int | None


@dataclass(frozen=True, slots=True)
class NewChange:
    """A change to record for a version; `reason` set means silent."""

    document_id: int
    kind: ChangeKind
    from_version_id: int | None
    to_version_id: int
    diff: list[dict[str, Any]]
    reason: str | None


def undiffed_version_ids(session: Session) -> list[int]:
    """Ids of the versions detect has not compared yet, oldest first."""
    return list(session.scalars(_UNDIFFED))


def claim_undiffed(session: Session, version_ids: list[int]) -> list[PendingVersion]:
    """These versions, locked, in the given order; those another detector took are
    left out (they are no longer undiffed)."""
    stmt = (
        select(Version.id, Version.document_id, Version.seq, Document.date)
        .join(Document, Document.id == Version.document_id)
        .where(Version.id.in_(version_ids), Version.detected_at.is_(None))
    )
    found = {row.id: row for row in session.execute(stmt.with_for_update(of=Version))}
    return [
        PendingVersion(found[i].id, found[i].document_id, found[i].seq, found[i].date)
        for i in version_ids
        if i in found
    ]


def earlier_versions(
    session: Session, versions: Sequence[PendingVersion]
) -> dict[int, list[tuple[int, str]]]:
    """version id -> (id, content_sha256) of the document's earlier versions."""
    document_ids = {v.document_id for v in versions}
    stmt = (
        select(Version.document_id, Version.seq, Version.id, Version.content_sha256)
        .where(Version.document_id.in_(document_ids))
        .order_by(Version.document_id, Version.seq)
    )
    by_document: dict[int, list[tuple[int, int, str]]] = {}
    for document_id, seq, version_id, digest in session.execute(stmt):
        by_document.setdefault(document_id, []).append((seq, version_id, digest))
    return {
        v.id: [
            (i, d) for seq, i, d in by_document.get(v.document_id, []) if seq < v.seq
        ]
        for v in versions
    }


def version_facts(session: Session, version_id: int) -> VersionFacts:
    version = session.get_one(Version, version_id)
    return VersionFacts(
        id=version.id,
        content=version.content,
        content_sha256=version.content_sha256,
        extractor_version=version.extractor_version,
        snapshot_id=version.snapshot_id,
    )


def same_body(session: Session, old_snapshot_id: int, new_snapshot_id: int) -> bool:
    """Whether the newer snapshot holds the older one's response body (a snapshot
    made by re-extraction always does: it is the stored body read again)."""
    if old_snapshot_id == new_snapshot_id:
        return True
    new = session.get(Snapshot, new_snapshot_id)
    old = session.get(Snapshot, old_snapshot_id)
    if new is None or old is None:
        return False
    if new.source == "reextract":
        return True
    return new.body_sha256 is not None and new.body_sha256 == old.body_sha256


def record_changes(
    session: Session, changes: Sequence[NewChange], now: datetime
) -> list[int]:
    """Insert the changes, mark their versions detected; the new ids, in order."""
    rows = [
        {
            "document_id": c.document_id,
            "kind": c.kind,
            "from_version_id": c.from_version_id,
            "to_version_id": c.to_version_id,
            "diff": c.diff,
            "is_silent": c.reason is not None,
            "reason": c.reason,
            "detected_at": now,
        }
        for c in changes
    ]
    db = session.connection()
    keyframes.encode_diffs(session, rows)
    change_ids = insert_rows(session, _changes, rows)
    db.execute(_MARK_DETECTED, [{"vid": c.to_version_id, "at": now} for c in changes])
    return change_ids


def presence_flips(session: Session, state: DocumentState) -> list[int]:
    """Documents in `state` whose newest change says otherwise (removed vs not).

    Only documents that can flip are looked at (those in REMOVED, or those with a
    removal on record), so the cost follows removals, not the archive's size.
    """
    removed = ChangeKind.REMOVED
    if state == DocumentState.REMOVED:
        candidates = select(Document.id).where(Document.state == state)
        flipped = Change.kind != removed
    else:
        candidates = select(Change.document_id).where(Change.kind == removed)
        flipped = Change.kind == removed
    newest = (
        select(Change.document_id, func.max(Change.id).label("change_id"))
        .where(Change.document_id.in_(candidates))
        .group_by(Change.document_id)
        .subquery()
    )
    stmt = (
        select(Document.id)
        .join(newest, newest.c.document_id == Document.id)
        .join(Change, Change.id == newest.c.change_id)
        .where(Document.state == state, flipped)
        .order_by(Document.id)
    )
    return list(session.scalars(stmt))


def record_presence_change(
    session: Session,
    document_id: int,
    kind: ChangeKind,
    *,
    reason: str | None,
    now: datetime,
) -> tuple[int, dict[str, Any]]:
    """A removal or return of a document, after its newest version; the change id
    and the content an alert shows (the newest version's, else the row's)."""
    versions = versions_of(session, document_id)
    last = versions[-1] if versions else None
    change = Change(
        document_id=document_id,
        kind=kind,
        from_version_id=last.id if last else None,
        to_version_id=last.id if last and kind == ChangeKind.RESTORED else None,
        diff=[],
        is_silent=reason is not None,
        reason=reason,
        detected_at=now,
    )
    session.add(change)
    session.flush()
    if last is not None:
        return change.id, last.content
    document = session.get(Document, document_id)
    return change.id, bare_content(document) if document else {}
