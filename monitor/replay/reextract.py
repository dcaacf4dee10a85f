"""Re-run the current extractor over stored snapshots (after an extractor upgrade).

A new version made this way points at the snapshot its predecessor came from, so
detect sees "same body, new extractor" and records the change silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawler.extract.current import current_extractor
from monitor.config import Settings
from storage.db import DbSession, SessionFactory, unit_of_work
from storage.ingest import Extractor, run_extractor
from storage.reextraction import (
    newest_version_ids,
    note_extraction_path,
    record_reextracted,
    stored_page,
)
from storage.regression import suspect_reason
from storage.versions import content_hash, undiffed_versions

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


def _reextract_one(
    session: DbSession,
    document_id: int,
    version_id: int,
    now: datetime,
    extractor: Extractor,
    *,
    write: bool,
) -> Reextracted:
    page = stored_page(session, document_id, version_id)
    old = page.content
    if page.body is None:
        return Reextracted(page.url, False, old, None, has_body=False)
    try:
        extracted = run_extractor(extractor, page.body, page.url, page.charset)
    except ValueError as exc:
        return Reextracted(page.url, False, old, None, str(exc))
    new = dict(extracted.document)
    if write:
        note_extraction_path(session, page.snapshot_id, extracted.path)
    if content_hash(new) == page.content_sha256:
        return Reextracted(page.url, False, old, new)
    suspect = suspect_reason(old, new)
    if suspect is not None:  # the new extractor lost what the stored version had
        return Reextracted(page.url, False, old, None, suspect)
    seq = None
    if write:
        seq = record_reextracted(session, page, new, extractor.version, now)
    return Reextracted(page.url, True, old, new, seq=seq)


def _reextract_all(
    factory: SessionFactory,
    pairs: list[tuple[int, int]],
    now: datetime,
    extractor: Extractor,
    *,
    write: bool,
    on_progress: Callable[[int, int], None] | None,
) -> list[Reextracted]:
    """Each (document, version) in turn, BATCH_SIZE per transaction."""
    items: list[Reextracted] = []
    for start in range(0, len(pairs), BATCH_SIZE):
        with unit_of_work(factory) as session:
            items += [
                _reextract_one(
                    session, document_id, version_id, now, extractor, write=write
                )
                for document_id, version_id in pairs[start : start + BATCH_SIZE]
            ]
        if on_progress is not None:
            on_progress(len(items), len(pairs))
    return items


def reextract(
    factory: SessionFactory,
    settings: Settings,
    now: datetime,
    *,
    dry_run: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    extractor: Extractor | None = None,
) -> ReextractReport:
    """Re-extract every document's newest version with `extractor` (the current
    one unless given); store changes unless dry_run.

    `on_progress(done, total)` is called after each batch of documents."""
    from monitor.detect.changes import detect_changes

    chosen = extractor or current_extractor()
    with unit_of_work(factory) as session:
        pending_before = bool(undiffed_versions(session, limit=1))
        pairs = newest_version_ids(session)
    items = _reextract_all(
        factory, pairs, now, chosen, write=not dry_run, on_progress=on_progress
    )
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
        extractor_version=chosen.version,
        alerts_queued=alerts,
    )
