"""One document for the web view: its versions, its counterpart, its raw pages."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Document, Snapshot, Version
from storage.queries import versions_of
from storage.snapshots import load_body

logger = logging.getLogger(__name__)

_COUNTERPART_KEYS = ("japanese_url", "english_url")


@dataclass(frozen=True, slots=True)
class VersionItem:
    seq: int
    created_at: datetime
    extractor_version: str
    content_sha256: str
    content: Mapping[str, Any]
    has_snapshot: bool


@dataclass(frozen=True, slots=True)
class DocumentPage:
    id: int
    url: str
    doc_id: str
    kind: str
    language: str
    state: str
    first_seen_at: datetime
    last_seen_at: datetime
    versions: tuple[VersionItem, ...]  # in seq order
    counterpart_ids: Mapping[str, int]  # a linked page we also keep: url -> id

    def version(self, seq: int) -> VersionItem | None:
        return next((v for v in self.versions if v.seq == seq), None)


@dataclass(frozen=True, slots=True)
class RawSnapshot:
    url: str
    fetched_at: datetime
    content_type: str | None
    data: bytes


def document_page(session: Session, document_id: int) -> DocumentPage | None:
    """The document with this id and every version of it; None if there is none."""
    document = session.get(Document, document_id)
    if document is None:
        return None
    versions = tuple(_version(v) for v in versions_of(session, document.id))
    return DocumentPage(
        id=document.id,
        url=document.url,
        doc_id=document.doc_id,
        kind=document.kind,
        language=document.language,
        state=document.state.value,
        first_seen_at=document.first_seen_at,
        last_seen_at=document.last_seen_at,
        versions=versions,
        counterpart_ids=_counterparts(session, versions),
    )


def _version(version: Version) -> VersionItem:
    return VersionItem(
        seq=version.seq,
        created_at=version.created_at,
        extractor_version=version.extractor_version,
        content_sha256=version.content_sha256,
        content=version.content or {},
        has_snapshot=version.snapshot_id is not None,
    )


def _counterparts(
    session: Session, versions: tuple[VersionItem, ...]
) -> dict[str, int]:
    if not versions:
        return {}
    urls = [versions[-1].content.get(key) for key in _COUNTERPART_KEYS]
    wanted = [str(url) for url in urls if url]
    if not wanted:
        return {}
    stmt = select(Document.url, Document.id).where(Document.url.in_(wanted))
    return {url: doc_id for url, doc_id in session.execute(stmt)}


def raw_snapshot(session: Session, document_id: int, seq: int) -> RawSnapshot | None:
    """The response a version was extracted from, as fetched; None if not kept."""
    stmt = (
        select(Snapshot)
        .join(Version, Version.snapshot_id == Snapshot.id)
        .where(Version.document_id == document_id, Version.seq == seq)
    )
    snapshot = session.scalars(stmt).first()
    if snapshot is None:
        return None
    data = load_body(session, snapshot)
    if data is None:
        return None
    return RawSnapshot(
        url=snapshot.final_url or snapshot.url,
        fetched_at=snapshot.fetched_at,
        content_type=snapshot.content_type,
        data=data,
    )
