"""New extractions judged against the stored versions (storage.regression decides).

A fetch whose extraction lost what the document's newest version had is suspect: its
snapshot keeps the reason as its extraction error, and no version is made. A 304 to
a page whose last content was suspect or unrecognizable is no sign of health: it
answers with that snapshot's error again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from storage.models import Document, Snapshot, Version
from storage.normalize import content_hash
from storage.regression import suspect_reason

__all__ = ["changed_contents", "judge_extraction", "last_content_error"]

_CHUNK = 500


def changed_contents(
    session: Session, digests: Mapping[str, str]
) -> dict[str, Mapping[str, Any]]:
    """URL -> newest stored Document, for the URLs whose stored hash is not `digest`
    (an unchanged page has nothing to be judged, and its content is not loaded)."""
    urls = list(digests)
    found: dict[str, Mapping[str, Any]] = {}
    for start in range(0, len(urls), _CHUNK):
        chunk = urls[start : start + _CHUNK]
        stmt = (
            select(Document.url, Document.content_sha256, Version.content)
            .join(
                Version,
                and_(
                    Version.document_id == Document.id,
                    Version.seq == Document.last_seq,
                ),
            )
            .where(Document.url.in_(chunk))
        )
        for url, stored_hash, content in session.execute(stmt):
            if stored_hash != digests[url]:
                found[url] = content
    return found


def judge_extraction(
    session: Session, url: str, document: Mapping[str, Any]
) -> str | None:
    """The suspect reason of this extraction of `url`, or None when it may be stored."""
    stored = changed_contents(session, {url: content_hash(document)}).get(url)
    return suspect_reason(stored, document)


def last_content_error(session: Session, url: str) -> str | None:
    """The extraction error of the newest 200 snapshot of `url` (None: it was fine)."""
    stmt = (
        select(Snapshot.extract_error)
        .where(Snapshot.url == url, Snapshot.status == 200)
        .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)
