"""What the crawl plan asks of stored index pages: their newest answers and bodies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from storage.models import ARCHIVE_ANSWERS, Snapshot
from storage.snapshots import load_body

# The editions' press folders: monthly archives live under these paths.
_PRESS_FOLDERS = ("/press/", "/mofaj/press/")


def newest_answer(session: Session, url: str) -> tuple[int, datetime] | None:
    """(status, fetched at) of the newest snapshot of `url`; None if never fetched."""
    row = session.execute(
        select(Snapshot.status, Snapshot.fetched_at)
        .where(Snapshot.url == url)
        .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def archive_fetches(session: Session, base_url: str) -> list[tuple[str, datetime]]:
    """(url, last answered at) of every monthly archive that answered 200 or 304,
    read from the partial index of archive answers, not from every snapshot."""
    folders = tuple(base_url + folder for folder in _PRESS_FOLDERS)
    stmt = (
        select(Snapshot.url, func.max(Snapshot.fetched_at))
        .where(text(ARCHIVE_ANSWERS))
        .group_by(Snapshot.url)
    )
    # Filtered here: a range on url in SQL would lead SQLite to the full index.
    return [
        (url, when) for url, when in session.execute(stmt) if url.startswith(folders)
    ]


def newest_body(session: Session, url: str) -> bytes | None:
    """The newest stored 200 body of a page (an index page that answered 304)."""
    snapshot = session.scalars(
        select(Snapshot)
        .where(Snapshot.url == url, Snapshot.status == 200)
        .where(Snapshot.body_sha256.is_not(None))
        .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
        .limit(1)
    ).first()
    return load_body(session, snapshot) if snapshot is not None else None
