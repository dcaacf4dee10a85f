"""New extractions judged against the stored versions (storage.regression decides).

A fetch whose extraction lost what the document's newest version had is suspect: its
snapshot keeps the reason as its extraction error, and no version is made. A 304 to
a page whose last content was suspect or unrecognizable is no sign of health: it
answers with that snapshot's error again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from storage.models import Document, Snapshot, Version
from storage.vocabulary import ExtractionPath

__all__ = ["changed_contents", "last_content_reading"]

_CHUNK = 500
_NEWEST_CONTENT = select(Document.url, Version.content).join(
    Version,
    and_(Version.document_id == Document.id, Version.seq == Document.last_seq),
)


def changed_contents(
    session: Session, digests: Mapping[str, str]
) -> dict[str, Mapping[str, Any]]:
    """URL -> newest stored Document, for the URLs whose stored hash is not `digest`
    (an unchanged page has nothing to be judged, and its content is not loaded)."""
    urls = list(digests)
    changed: list[str] = []
    for start in range(0, len(urls), _CHUNK):
        chunk = urls[start : start + _CHUNK]
        stmt = select(Document.url, Document.content_sha256).where(
            Document.url.in_(chunk)
        )
        changed += [url for url, h in session.execute(stmt) if h != digests[url]]
    found: dict[str, Mapping[str, Any]] = {}
    for start in range(0, len(changed), _CHUNK):
        part = changed[start : start + _CHUNK]
        rows = session.execute(_NEWEST_CONTENT.where(Document.url.in_(part)))
        found.update((url, content) for url, content in rows)
    return found


def last_content_reading(
    session: Session,
    url: str,
    *,
    etag: str | None = None,
) -> tuple[str | None, ExtractionPath | None]:
    """What a 304 for `url` confirms: the extraction error of its content (None: it
    read well) and the path its extraction took.

    The content is the newest 200 snapshot carrying the 304's ETag when one does
    (validators are sent only from content that read well, so a page restored after
    a broken spell answers 304 to its good version), else the newest 200. The path
    is that of the content whose validators were sent (the newest readable 200/304
    carrying them, as storage.snapshots sends them; asked before the 304 itself is
    stored)."""
    newest = (
        select(Snapshot.extract_error)
        .where(Snapshot.url == url, Snapshot.status == 200)
        .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
        .limit(1)
    )
    matched = None
    if etag is not None:
        matched = session.execute(newest.where(Snapshot.etag == etag)).first()
    error = matched[0] if matched is not None else session.scalar(newest)
    path = session.scalar(
        select(Snapshot.extraction_path)
        .where(
            Snapshot.url == url,
            Snapshot.status.in_((200, 304)),
            Snapshot.extract_error.is_(None),
            or_(Snapshot.etag.is_not(None), Snapshot.last_modified.is_not(None)),
        )
        .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
        .limit(1)
    )
    return error, path
