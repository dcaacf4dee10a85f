"""What re-extraction reads and writes: each document's newest version, the stored
body it came from, and the version a new extraction of that body makes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Document, Snapshot, Version
from storage.snapshots import load_body
from storage.versions import record_version
from storage.vocabulary import ExtractionPath


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A document's newest version and the snapshot whose body can be read again."""

    document_id: int
    version_id: int
    url: str
    content: dict[str, Any]
    content_sha256: str
    snapshot_id: int | None  # None: no snapshot of this document has a body left
    body: bytes | None
    charset: str | None


def newest_version_ids(session: Session) -> list[tuple[int, int]]:
    """(document id, id of its newest version) of every document that has one."""
    newest = (
        select(Version.document_id, func.max(Version.seq).label("seq"))
        .group_by(Version.document_id)
        .subquery()
    )
    stmt = (
        select(Version.document_id, Version.id)
        .join(
            newest,
            (Version.document_id == newest.c.document_id)
            & (Version.seq == newest.c.seq),
        )
        .order_by(Version.document_id)
    )
    return [
        (document_id, version_id) for document_id, version_id in session.execute(stmt)
    ]


def _is_newest(session: Session, document_id: int, version_id: int) -> bool:
    """Whether no version of the document has come after this one."""
    stmt = (
        select(Version.id)
        .where(Version.document_id == document_id)
        .order_by(Version.seq.desc())
        .limit(1)
    )
    return session.scalars(stmt).first() == version_id


def stored_page(session: Session, document_id: int, version_id: int) -> StoredPage:
    """The version, with the body of the snapshot it came from, else of the newest
    snapshot of its URL that still has one."""
    document = session.get_one(Document, document_id)
    version = session.get_one(Version, version_id)
    found = _source_snapshot(session, document.url, version)
    snapshot, body = found if found is not None else (None, None)
    return StoredPage(
        document_id=document_id,
        version_id=version_id,
        url=document.url,
        content=dict(version.content),
        content_sha256=version.content_sha256,
        snapshot_id=snapshot.id if snapshot is not None else None,
        body=body,
        charset=snapshot.charset if snapshot is not None else None,
    )


def _source_snapshot(
    session: Session, url: str, version: Version
) -> tuple[Snapshot, bytes] | None:
    own = session.get(Snapshot, version.snapshot_id) if version.snapshot_id else None
    if own is not None and (body := load_body(session, own)) is not None:
        return own, body
    stmt = (
        select(Snapshot)
        .where(
            Snapshot.url == url,
            Snapshot.status == 200,
            Snapshot.body_sha256.is_not(None),
        )
        .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
    )
    for snapshot in session.scalars(stmt):
        if (body := load_body(session, snapshot)) is not None:
            return snapshot, body
    return None


def note_extraction_path(
    session: Session, snapshot_id: int | None, path: ExtractionPath | None
) -> None:
    """The path the current extractor takes through the snapshot's stored body."""
    snapshot = session.get(Snapshot, snapshot_id) if snapshot_id else None
    if snapshot is not None:
        snapshot.extraction_path = path


def record_reextracted(
    session: Session,
    page: StoredPage,
    content: dict[str, Any],
    extractor_version: str,
    now: datetime,
) -> int | None:
    """Store the new extraction as a version of the page's snapshot; its seq.

    Nothing is stored (None) when a version came after the one the page was read
    from: the extraction is of a body that is no longer the document's newest."""
    if not _is_newest(session, page.document_id, page.version_id):
        return None
    snapshot = session.get(Snapshot, page.snapshot_id) if page.snapshot_id else None
    result = record_version(
        session, page.url, content, snapshot, extractor_version, now
    )
    return result.seq
