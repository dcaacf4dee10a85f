"""The one path from a fetched response to stored rows (crawler pipeline and replay)."""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.documents import note_blocked, note_fetched, note_missing, note_present
from storage.snapshots import BLOCKED_STATUSES, FetchRecord, store_snapshot
from storage.versions import RecordResult, record_version

logger = logging.getLogger(__name__)

MISSING_STATUSES = frozenset({404, 410})

Extractor = Callable[[bytes, str, str | None], Mapping[str, Any]]


class Outcome(enum.StrEnum):
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    NOT_MODIFIED = "not_modified"
    EXTRACT_FAILED = "extract_failed"
    MISSING = "missing"
    BLOCKED = "blocked"
    FAILED = "failed"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: Outcome
    snapshot_id: int | None
    record: RecordResult | None
    error: str | None


def ingest_fetch(
    session: Session,
    fetch: FetchRecord,
    *,
    extractor: Extractor,
    extractor_version: str,
    now: datetime,
    run_id: int | None = None,
    is_detail: bool = True,
) -> IngestResult:
    """Store the snapshot and, for a detail page, what its status means.

    200: extract and record a version (ValueError -> snapshot.extract_error);
    304: present; 404/410: missing; 403/429: blocked (body not kept); 5xx: failed.
    Index pages (is_detail=False) are stored as snapshots only.
    """
    # Only a 200 body is content; 403/429 challenge pages and 404 pages are not.
    stored = fetch if fetch.status == 200 else dataclasses.replace(fetch, body=None)
    snapshot = store_snapshot(session, stored, run_id=run_id)
    outcome = status_outcome(fetch.status)
    if not is_detail or fetch.status != 200:
        if is_detail:
            bookkeep(session, fetch, outcome, now)
        return IngestResult(outcome, snapshot.id, None, None)
    try:
        document = extractor(fetch.body or b"", fetch.url, fetch.charset)
    except ValueError as exc:
        snapshot.extract_error = str(exc) or type(exc).__name__
        logger.warning("extract failed for %s: %s", fetch.url, snapshot.extract_error)
        note_fetched(session, fetch.url, fetch.status, now)
        note_present(session, fetch.url, now)
        return IngestResult(
            Outcome.EXTRACT_FAILED, snapshot.id, None, snapshot.extract_error
        )
    record = record_version(
        session, fetch.url, document, snapshot, extractor_version, now
    )
    note_fetched(session, fetch.url, fetch.status, now)
    note_present(session, fetch.url, now)
    outcome = Outcome.NEW_VERSION if record.is_new_version else Outcome.UNCHANGED
    return IngestResult(outcome, snapshot.id, record, None)


def status_outcome(status: int) -> Outcome:
    if status == 304:
        return Outcome.NOT_MODIFIED
    if status in MISSING_STATUSES:
        return Outcome.MISSING
    if status in BLOCKED_STATUSES:
        return Outcome.BLOCKED
    if status >= 500 or status < 100:
        return Outcome.FAILED
    return Outcome.IGNORED  # 200 (handled by the caller) and other statuses


def bookkeep(
    session: Session, fetch: FetchRecord, outcome: Outcome, now: datetime
) -> None:
    note_fetched(session, fetch.url, fetch.status, now)
    if outcome == Outcome.NOT_MODIFIED:
        note_present(session, fetch.url, now)
    elif outcome == Outcome.MISSING:
        note_missing(session, fetch.url, now)
    elif outcome == Outcome.BLOCKED:
        note_blocked(session, fetch.url, now)
