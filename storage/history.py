"""What the history commands show: detected changes, and one document's versions."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from storage.models import Change, Document, Snapshot, Version
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


def list_changes(session: Session, since: datetime | None = None) -> list[ChangeRow]:
    """Changes detected at or after `since` (all when None), oldest first."""
    to_version = aliased(Version)
    from_version = aliased(Version)
    stmt = (
        select(Change, Document, to_version, from_version)
        .join(Document, Document.id == Change.document_id)
        .outerjoin(to_version, to_version.id == Change.to_version_id)
        .outerjoin(from_version, from_version.id == Change.from_version_id)
        .order_by(Change.detected_at, Change.id)
    )
    if since is not None:
        stmt = stmt.where(Change.detected_at >= since)
    return [_change_row(*row) for row in session.execute(stmt)]


def _change_row(
    change: Change, document: Document, new: Version | None, old: Version | None
) -> ChangeRow:
    shown = new or old
    content = shown.content if shown is not None else {}
    return ChangeRow(
        id=change.id,
        detected_at=change.detected_at,
        kind=change.kind.value,
        doc_id=document.doc_id,
        url=document.url,
        title=content.get("title") or document.title,
        date=content.get("date") or document.date,
        from_seq=old.seq if old else None,
        to_seq=new.seq if new else None,
        fields=tuple(
            sorted({str(d["field"]) for d in change.diff or () if d.get("field")})
        ),
        is_silent=change.is_silent,
        reason=change.reason,
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
