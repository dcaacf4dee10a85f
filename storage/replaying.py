"""What a replay asks the database: which captures it holds already, and where the
alerts a replay queues begin."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Alert, Snapshot

# (url, fetched_at, body sha256): replay is idempotent by this key.
SnapshotKey = tuple[str, datetime, str | None]


def stored_snapshot_keys(session: Session, urls: Iterable[str]) -> set[SnapshotKey]:
    """The keys of every snapshot of these URLs, in one query."""
    stmt = select(Snapshot.url, Snapshot.fetched_at, Snapshot.body_sha256).where(
        Snapshot.url.in_(sorted(set(urls)))
    )
    return {(url, when, sha) for url, when, sha in session.execute(stmt)}


def newest_alert_id(session: Session) -> int:
    """The largest alert id, 0 when there is none."""
    return int(session.scalar(select(func.max(Alert.id))) or 0)
