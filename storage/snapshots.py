"""Raw responses: one row per fetch, bodies stored once per distinct content."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Label

from storage import bodies
from storage.bulk import insert_ignoring
from storage.models import Snapshot, SnapshotBody

logger = logging.getLogger(__name__)

BLOCKED_STATUSES = frozenset({403, 429})
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """One HTTP response (or its absence of body) as the crawler or replay saw it."""

    url: str
    fetched_at: datetime
    status: int
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    charset: str | None = None
    content_type: str | None = None
    source: str = "crawl"


def store_body(session: Session, url: str, body: bytes) -> str:
    """Store the body of a response from `url` unless an identical one is stored
    (storage/bodies.py); return its sha256."""
    digest = hashlib.sha256(body).hexdigest()
    if session.get(SnapshotBody, digest) is not None:
        return digest
    dialect = session.get_bind().dialect.name
    (row,) = bodies.body_rows(session, {digest: (url, body)})
    session.execute(insert_ignoring(dialect, SnapshotBody, ["sha256"]).values(**row))
    return digest


def store_snapshot(
    session: Session, fetch: FetchRecord, *, run_id: int | None = None
) -> Snapshot:
    """Add the snapshot row (flushed, so it has an id); 403/429 bodies are dropped."""
    body_sha256 = None
    if fetch.body is not None and fetch.status not in BLOCKED_STATUSES:
        body_sha256 = store_body(session, fetch.url, fetch.body)
    snapshot = Snapshot(**snapshot_values(fetch, body_sha256, run_id))
    session.add(snapshot)
    session.flush()
    return snapshot


def snapshot_values(
    fetch: FetchRecord, body_sha256: str | None, run_id: int | None
) -> dict[str, Any]:
    """The snapshots row of a fetch, its texts cut to their column lengths; no
    final_url when the URL itself answered."""
    answered = fetch.final_url if fetch.final_url != fetch.url else None
    return {
        "url": fetch.url[:512],
        "final_url": answered[:512] if answered else None,
        "fetched_at": fetch.fetched_at,
        "status": fetch.status,
        "etag": fetch.etag[:256] if fetch.etag else None,
        "last_modified": fetch.last_modified[:64] if fetch.last_modified else None,
        "charset": fetch.charset[:32] if fetch.charset else None,
        "content_type": fetch.content_type[:128] if fetch.content_type else None,
        "body_sha256": body_sha256,
        "source": fetch.source[:16],
        "run_id": run_id,
    }


def load_body(session: Session, snapshot: Snapshot) -> bytes | None:
    """The decompressed body of the snapshot (None if it had none or was pruned)."""
    if snapshot.body_sha256 is None:
        return None
    return bodies.load(session, snapshot.body_sha256)


def newest_first_rank() -> Label[int]:
    """Each snapshot's place among its URL's snapshots, 1 being the newest."""
    return (
        func.row_number()
        .over(
            partition_by=Snapshot.url,
            order_by=(Snapshot.fetched_at.desc(), Snapshot.id.desc()),
        )
        .label("rank")
    )


def validators_for(
    session: Session, urls: Iterable[str]
) -> dict[str, tuple[str | None, str | None]]:
    """URL -> (etag, last_modified) of its newest 200/304 snapshot that carried them.

    A 200 the extractor could not read is not content: its validators are never sent,
    so the page is fetched whole again rather than answered 304 against it.
    """
    wanted = list(dict.fromkeys(urls))
    found: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rank = newest_first_rank()
        inner = (
            select(Snapshot.url, Snapshot.etag, Snapshot.last_modified, rank)
            .where(
                Snapshot.url.in_(chunk),
                Snapshot.status.in_((200, 304)),
                Snapshot.extract_error.is_(None),
                or_(Snapshot.etag.is_not(None), Snapshot.last_modified.is_not(None)),
            )
            .subquery()
        )
        stmt = select(inner.c.url, inner.c.etag, inner.c.last_modified).where(
            inner.c.rank == 1
        )
        for url, etag, last_modified in session.execute(stmt):
            found[url] = (etag, last_modified)
    return found
