"""Raw responses: one row per fetch, bodies stored once per distinct content."""

from __future__ import annotations

import hashlib
import logging
import lzma
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Label

from storage import bodydict
from storage.models import Snapshot, SnapshotBody

logger = logging.getLogger(__name__)

BLOCKED_STATUSES = frozenset({403, 429})
# zlib-9 seeded with the site's page furniture (storage/bodydict.py): the fixture
# pages are stored in 16% of their size, against 42% for plain zlib-9 and 44% for
# lzma-9, which spend most of their output re-learning the shared header and footer.
CODEC = "zlib+mofa1"
_LZMA_PRESET = 9
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


def compress(data: bytes, codec: str = CODEC) -> bytes:
    """The body encoded with the codec whose name is stored next to it."""
    if codec == "zlib+mofa1":
        compressor = zlib.compressobj(9, zdict=bodydict.mofa1())
        return compressor.compress(data) + compressor.flush()
    if codec == "lzma":
        return lzma.compress(data, preset=_LZMA_PRESET)
    if codec == "zlib":
        return zlib.compress(data, 9)
    if codec == "identity":
        return data
    raise ValueError(f"unknown body codec {codec!r}")


def decompress(data: bytes, codec: str) -> bytes:
    if codec == "zlib+mofa1":
        decompressor = zlib.decompressobj(zdict=bodydict.mofa1())
        return decompressor.decompress(data) + decompressor.flush()
    if codec == "lzma":
        return lzma.decompress(data)
    if codec == "zlib":
        return zlib.decompress(data)
    if codec == "identity":
        return data
    raise ValueError(f"unknown body codec {codec!r}")


def store_body(session: Session, body: bytes) -> str:
    """Store the body unless an identical one is stored; return its sha256."""
    digest = hashlib.sha256(body).hexdigest()
    if session.get(SnapshotBody, digest) is not None:
        return digest
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(SnapshotBody).values(
        sha256=digest, codec=CODEC, raw_size=len(body), data=compress(body)
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=["sha256"]))
    return digest


def store_snapshot(
    session: Session, fetch: FetchRecord, *, run_id: int | None = None
) -> Snapshot:
    """Add the snapshot row (flushed, so it has an id); 403/429 bodies are dropped."""
    body_sha256 = None
    if fetch.body is not None and fetch.status not in BLOCKED_STATUSES:
        body_sha256 = store_body(session, fetch.body)
    snapshot = Snapshot(**snapshot_values(fetch, body_sha256, run_id))
    session.add(snapshot)
    session.flush()
    return snapshot


def snapshot_values(
    fetch: FetchRecord, body_sha256: str | None, run_id: int | None
) -> dict[str, Any]:
    """The snapshots row of a fetch, its texts cut to their column lengths."""
    return {
        "url": fetch.url[:512],
        "final_url": fetch.final_url[:512] if fetch.final_url else None,
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
    body = session.get(SnapshotBody, snapshot.body_sha256)
    return None if body is None else decompress(body.data, body.codec)


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
