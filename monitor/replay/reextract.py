"""Re-run the current extractor over stored snapshots (after an extractor upgrade).

A new version made this way points at the snapshot its predecessor came from, so
detect sees "same body, new extractor" and records the change silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Settings
from monitor.replay.ingest import current_extractor
from storage.db import unit_of_work
from storage.models import Document, Snapshot, Version
from storage.regression import suspect_reason
from storage.snapshots import load_body
from storage.versions import content_hash, record_version, undiffed_versions

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


@dataclass(frozen=True, slots=True)
class Reextracted:
    """One document run through the current extractor."""

    url: str
    changed: bool
    old: dict[str, Any]
    new: dict[str, Any] | None  # None when it failed or had no body
    error: str | None = None  # the extractor rejected the stored page
    seq: int | None = None
    has_body: bool = True  # False: every body of this document was pruned


@dataclass(frozen=True, slots=True)
class ReextractReport:
    pages: int
    changed: int
    failed: int
    without_body: int
    items: tuple[Reextracted, ...]
    extractor_version: str
    alerts_queued: int = 0


def _newest_versions(session: Session) -> Iterator[tuple[Document, Version]]:
    for document in session.scalars(select(Document).order_by(Document.id)):
        stmt = (
            select(Version)
            .where(Version.document_id == document.id)
            .order_by(Version.seq.desc())
            .limit(1)
        )
        version = session.scalars(stmt).first()
        if version is not None:
            yield document, version


def _source_snapshot(
    session: Session, url: str, version: Version
) -> tuple[Snapshot, bytes] | None:
    """The snapshot the newest version came from, else the newest one with a body."""
    own = session.get(Snapshot, version.snapshot_id) if version.snapshot_id else None
    if own is not None and (body := load_body(session, own)) is not None:
        return own, body
    stmt = (
        select(Snapshot)
        .where(
            Snapshot.url == url,
            Snapshot.status == 200,
            Snapshot.body_sha256.is_not(None),
        )
        .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
    )
    for snapshot in session.scalars(stmt):
        if (body := load_body(session, snapshot)) is not None:
            return snapshot, body
    return None


def _reextract_one(
    session: Session,
    document: Document,
    version: Version,
    now: datetime,
    *,
    write: bool,
) -> Reextracted:
    extractor, extractor_version = current_extractor()
    found = _source_snapshot(session, document.url, version)
    old = dict(version.content)
    if found is None:
        return Reextracted(document.url, False, old, None, has_body=False)
    snapshot, body = found
    try:
        new = dict(extractor(body, document.url, snapshot.charset))
    except ValueError as exc:
        return Reextracted(document.url, False, old, None, str(exc))
    if content_hash(new) == version.content_sha256:
        return Reextracted(document.url, False, old, new)
    suspect = suspect_reason(old, new)
    if suspect is not None:  # the new extractor lost what the stored version had
        return Reextracted(document.url, False, old, None, suspect)
    seq = None
    if write:
        result = record_version(
            session, document.url, new, snapshot, extractor_version, now
        )
        seq = result.seq
    return Reextracted(document.url, True, old, new, seq=seq)


def reextract(
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    *,
    dry_run: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ReextractReport:
    """Re-extract every document's newest version; store changes unless dry_run.

    `on_progress(done, total)` is called after each batch of documents."""
    from monitor.detect.changes import detect_changes

    _, extractor_version = current_extractor()
    with unit_of_work(factory) as session:
        pending_before = bool(undiffed_versions(session, limit=1))
        pairs = [(d.id, v.id) for d, v in _newest_versions(session)]
    items: list[Reextracted] = []
    for start in range(0, len(pairs), BATCH_SIZE):
        with unit_of_work(factory) as session:
            for document_id, version_id in pairs[start : start + BATCH_SIZE]:
                document = session.get(Document, document_id)
                version = session.get(Version, version_id)
                assert document is not None
                assert version is not None
                items.append(
                    _reextract_one(session, document, version, now, write=not dry_run)
                )
        if on_progress is not None:
            on_progress(len(items), len(pairs))
    alerts = 0
    if not dry_run and any(i.changed for i in items):
        # Nothing else waits for detection: ours are extractor-only, so silence them
        # outright. Otherwise detect's "same body, new extractor" rule keeps ours quiet
        # without silencing real changes that are still pending.
        detected = detect_changes(factory, settings, now, silent=not pending_before)
        alerts = detected.alerts
    return ReextractReport(
        pages=len(items),
        changed=sum(1 for i in items if i.changed),
        failed=sum(1 for i in items if i.error is not None),
        without_body=sum(1 for i in items if not i.has_body),
        items=tuple(items),
        extractor_version=extractor_version,
        alerts_queued=alerts,
    )
