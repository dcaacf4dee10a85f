"""Versions of documents: record a new one only when the normalized content changed."""

from __future__ import annotations

import functools
import logging
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from storage import keyframes
from storage.bulk import insert_ignoring
from storage.models import Document, DocumentState, Snapshot, Version
from storage.normalize import canonical_json, content_hash, normalize_document
from storage.queries import (
    find_document,
    search_documents,
    undiffed_versions,
    versions_of,
)

__all__ = [
    "RecordResult",
    "canonical_json",
    "content_hash",
    "find_document",
    "normalize_document",
    "record_version",
    "search_documents",
    "undiffed_versions",
    "versions_of",
]

logger = logging.getLogger(__name__)

_SEQ_RETRIES = 3

_documents = typing.cast(Table, Document.__table__)
_versions = typing.cast(Table, Version.__table__)
# Statements are built once: building them costs more than running them.
_TOUCH = (
    update(_documents)
    .where(
        _documents.c.url == bindparam("u"),
        _documents.c.content_sha256 == bindparam("h"),
    )
    .values(last_seen_at=bindparam("now"))
    .returning(_documents.c.id)
)
_LOOKUP = select(
    _documents.c.id, _documents.c.content_sha256, _documents.c.last_seq
).where(_documents.c.url == bindparam("u"))
_LOOKUP_LOCKED = _LOOKUP.with_for_update()
_NEWEST = (
    select(_versions.c.seq, _versions.c.content_sha256)
    .where(_versions.c.document_id == bindparam("d"))
    .order_by(_versions.c.seq.desc())
    .limit(1)
)
_UPDATE = update(_documents).where(_documents.c.id == bindparam("pk"))
_INSERT_VERSION = insert(_versions).returning(_versions.c.id)


@dataclass(frozen=True, slots=True)
class RecordResult:
    document_id: int
    version_id: int | None
    seq: int | None
    is_new_document: bool
    is_new_version: bool


def record_version(
    session: Session,
    url: str,
    document: Mapping[str, Any],
    snapshot: Snapshot | None,
    extractor_version: str,
    now: datetime,
) -> RecordResult:
    """Store the Document as a new version unless its normalized hash is unchanged."""
    digest = content_hash(document)
    # Unchanged (the common case): one indexed UPDATE ... RETURNING, nothing else.
    session.flush()  # the statements below bypass the ORM (and its autoflush)
    db = session.connection()
    touched = db.execute(_TOUCH, {"u": url, "h": digest, "now": now}).scalar()
    if touched is not None:
        loaded = session.identity_map.get(identity_key(Document, touched))
        if loaded is not None:
            set_committed_value(loaded, "last_seen_at", now)
        return RecordResult(touched, None, None, False, False)
    result = _record_changed(
        session, url, document, digest, snapshot, extractor_version, now
    )
    loaded = session.identity_map.get(identity_key(Document, result.document_id))
    if loaded is not None:
        session.expire(loaded)
    return result


def _record_changed(
    session: Session,
    url: str,
    document: Mapping[str, Any],
    digest: str,
    snapshot: Snapshot | None,
    extractor_version: str,
    now: datetime,
) -> RecordResult:
    existing = session.connection().execute(_LOOKUP, {"u": url}).first()
    is_new_document = existing is None and _insert_document(session, url, document, now)
    for _ in range(_SEQ_RETRIES):
        # PostgreSQL: the row lock orders concurrent writers of one document.
        # SQLite: BEGIN IMMEDIATE (storage.db) already made this transaction the writer.
        locked = session.connection().execute(_LOOKUP_LOCKED, {"u": url}).first()
        assert locked is not None  # inserted above or by a concurrent writer
        newest = session.connection().execute(_NEWEST, {"d": locked.id}).first()
        if newest is not None and newest.content_sha256 == digest:
            values = {
                "last_seen_at": now,
                "last_seq": newest.seq,
                "content_sha256": digest,
            }
            session.connection().execute(_UPDATE, {"pk": locked.id, **values})
            return RecordResult(locked.id, None, None, is_new_document, False)
        seq = max(locked.last_seq, newest.seq if newest is not None else 0) + 1
        row = {
            "document_id": locked.id,
            "seq": seq,
            "content_sha256": digest,
            "content": dict(document),
            "extractor_version": extractor_version[:32],
            "snapshot_id": snapshot.id if snapshot is not None else None,
            "created_at": now,
        }
        keyframes.encode(session, [row])
        version_id = _insert_version(session, row)
        if version_id is not None:
            values = document_fields(url, document)
            if not document.get("doc_id"):
                del values["doc_id"]
            values.update(last_seen_at=now, last_seq=seq, content_sha256=digest)
            session.connection().execute(_UPDATE, {"pk": locked.id, **values})
            return RecordResult(locked.id, version_id, seq, is_new_document, True)
        logger.info("version %s of %s taken concurrently; checking again", seq, url)
    raise RuntimeError(f"{url}: could not allocate a version number")


def document_fields(url: str, document: Mapping[str, Any]) -> dict[str, Any]:
    def text(key: str, length: int, default: str | None = None) -> str | None:
        value = document.get(key)
        return str(value)[:length] if value not in (None, "") else default

    return {
        "doc_id": text("doc_id", 128, url.rstrip("/").rsplit("/", 1)[-1][:128]),
        "kind": text("kind", 32, "page"),
        "language": text("language", 8, "en"),
        "section": text("section", 256),
        "title": document.get("title") or None,
        "date": text("date", 10),
        "is_placeholder": bool(document.get("placeholder", False)),
    }


def _insert_document(
    session: Session, url: str, document: Mapping[str, Any], now: datetime
) -> bool:
    """Insert the documents row unless it exists; True if this call created it."""
    values = document_fields(url, document) | {
        "url": url,
        "first_seen_at": now,
        "last_seen_at": now,
        "last_fetched_at": None,
        "last_status": None,
        "state": DocumentState.LIVE,
        "state_since": now,
        "missing_count": 0,
        "last_seq": 0,
        "content_sha256": None,
    }
    dialect = session.get_bind().dialect.name
    return (
        session.connection().execute(_insert_document_stmt(dialect), values).first()
        is not None
    )


@functools.cache
def _insert_document_stmt(dialect: str) -> Any:
    stmt = insert_ignoring(dialect, _documents, ["url"])
    return stmt.returning(_documents.c.id)


def _insert_version(session: Session, values: dict[str, Any]) -> int | None:
    """Insert in a savepoint: a taken (document_id, seq) must not end the caller's
    transaction; None when it was taken."""
    try:
        with session.begin_nested():
            version_id: int = (
                session.connection().execute(_INSERT_VERSION, values).scalar_one()
            )
            return version_id
    except IntegrityError:
        return None
