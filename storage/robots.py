"""robots.txt kept as a snapshot between runs: each run asks for it conditionally."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Snapshot
from storage.snapshots import FetchRecord, load_body, store_snapshot


@dataclass(frozen=True, slots=True)
class StoredRobots:
    """The newest robots.txt answered 200, with the validators it came with."""

    text: str
    etag: str | None
    last_modified: str | None


def newest_robots(session: Session, url: str) -> StoredRobots | None:
    """The newest 200 answer kept for this robots.txt URL; None if none has a body."""
    snapshot = session.scalars(
        select(Snapshot)
        .where(Snapshot.url == url, Snapshot.status == 200)
        .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
        .limit(1)
    ).first()
    if snapshot is None:
        return None
    body = load_body(session, snapshot)
    if body is None:
        return None
    text = body.decode("utf-8", "replace")
    return StoredRobots(text, snapshot.etag, snapshot.last_modified)


def keep_robots(session: Session, fetch: FetchRecord) -> None:
    """Keep a robots.txt answer as a snapshot (outside any run)."""
    store_snapshot(session, fetch)
