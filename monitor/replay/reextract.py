"""Re-run the current extractor over stored snapshots (after an extractor upgrade).

A new version made this way points at the snapshot its predecessor came from, so
detect sees "same body, new extractor" and records the change silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from crawler.extract.current import current_extractor
from monitor.config import Settings
from storage.db import DbSession, SessionFactory, unit_of_work
from storage.ingest import Extracted, Extractor, run_extractor
from storage.reextraction import (
    StoredPage,
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


# A page read for re-extraction, what came of it, and the extractor's answer.
_Judged = tuple[StoredPage, Reextracted, Extracted | None]


def _judge(
    page: StoredPage, extractor: Extractor
) -> tuple[Reextracted, Extracted | None]:
    """What the extractor makes of the page's stored body, and its answer (None
    when it gave none); touches no database."""
    old = page.content
    if page.body is None:
        return Reextracted(page.url, False, old, None, has_body=False), None
    try:
        extracted = run_extractor(extractor, page.body, page.url, page.charset)
    except ValueError as exc:
        return Reextracted(page.url, False, old, None, str(exc)), None
    new = dict(extracted.document)
    if content_hash(new) == page.content_sha256:
        return Reextracted(page.url, False, old, new), extracted
    suspect = suspect_reason(old, new)
    if suspect is not None:  # the new extractor lost what the stored version had
        return Reextracted(page.url, False, old, None, suspect), extracted
    return Reextracted(page.url, True, old, new), extracted


def _store(
    session: DbSession,
    judged: _Judged,
    extractor_version: str,
    now: datetime,
) -> Reextracted:
    page, item, extracted = judged
    if extracted is None:
        return item
    note_extraction_path(session, page.snapshot_id, extracted.path)
    if not item.changed or item.new is None:
        return item
    seq = record_reextracted(session, page, item.new, extractor_version, now)
    # None: a newer version came in since the page was read, and stays the newest.
    return replace(item, changed=seq is not None, seq=seq)


def _reextract_batch(
    factory: SessionFactory,
    pairs: list[tuple[int, int]],
    now: datetime,
    extractor: Extractor,
    *,
    write: bool,
) -> list[Reextracted]:
    """Read the pages, extract them with no transaction open, then store the
    results in one more transaction (unless not `write`)."""
    with unit_of_work(factory) as session:
        pages = [stored_page(session, d, v) for d, v in pairs]
    judged = [(page, *_judge(page, extractor)) for page in pages]
    if not write or all(extracted is None for _, _, extracted in judged):
        return [item for _, item, _ in judged]
    with unit_of_work(factory) as session:
        return [_store(session, j, extractor.version, now) for j in judged]


def _reextract_all(
    factory: SessionFactory,
    pairs: list[tuple[int, int]],
    now: datetime,
    extractor: Extractor,
    *,
    write: bool,
    on_progress: Callable[[int, int], None] | None,
) -> list[Reextracted]:
    """Each (document, version) in turn, BATCH_SIZE at a time."""
    items: list[Reextracted] = []
    for start in range(0, len(pairs), BATCH_SIZE):
        batch = pairs[start : start + BATCH_SIZE]
        items += _reextract_batch(factory, batch, now, extractor, write=write)
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
