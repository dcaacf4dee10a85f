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
from storage.models import Snapshot
from storage.snapshots import BLOCKED_STATUSES, FetchRecord, store_snapshot
from storage.suspects import judge_extraction, last_content_reading
from storage.versions import RecordResult, record_version
from storage.vocabulary import ExtractionPath

logger = logging.getLogger(__name__)

MISSING_STATUSES = frozenset({404, 410})


@dataclass(frozen=True, slots=True)
class Extracted:
    """A page's Document and the path the extractor took to find it (metadata,
    kept on the snapshot, never part of the Document)."""

    document: Mapping[str, Any]
    path: ExtractionPath | None = None


# An extractor answers with the Document alone or with its path as well.
Extractor = Callable[[bytes, str, str | None], Mapping[str, Any] | Extracted]


def run_extractor(extractor: Extractor, fetch: FetchRecord) -> Extracted:
    """The extractor's answer for one fetch; raises ValueError on an unusable page."""
    answer = extractor(fetch.body or b"", fetch.url, fetch.charset)
    return answer if isinstance(answer, Extracted) else Extracted(answer)


class Outcome(enum.StrEnum):
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    NOT_MODIFIED = "not_modified"
    EXTRACT_FAILED = "extract_failed"
    SUSPECT = "suspect"  # extracted, but lost what the stored version had
    STILL_UNRECOGNIZED = "still_unrecognized"  # 304 to a failed or suspect page
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
    extraction_path: ExtractionPath | None = None


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

    200: extract and record a version (ValueError, or an extraction that lost what
    the stored version had -> snapshot.extract_error and no version); 304: present
    (still unrecognized when the content it confirms was); 404/410: missing;
    403/429: blocked (body not kept); 5xx: failed. Index pages (is_detail=False)
    are stored as snapshots only.
    """
    # Only a 200 body is content; 403/429 challenge pages and 404 pages are not.
    stored = fetch if fetch.status == 200 else dataclasses.replace(fetch, body=None)
    snapshot = store_snapshot(session, stored, run_id=run_id)
    outcome = status_outcome(fetch.status)
    if not is_detail:
        return IngestResult(outcome, snapshot.id, None, None)
    if fetch.status != 200:
        return _answered(session, fetch, snapshot, outcome, now)
    try:
        extracted = run_extractor(extractor, fetch)
    except ValueError as exc:
        error = str(exc) or type(exc).__name__
        return _unusable(session, fetch, snapshot, error, now, Outcome.EXTRACT_FAILED)
    path = snapshot.extraction_path = extracted.path
    suspect = judge_extraction(session, fetch.url, extracted.document)
    if suspect is not None:
        result = _unusable(session, fetch, snapshot, suspect, now, Outcome.SUSPECT)
        return dataclasses.replace(result, extraction_path=path)
    record = record_version(
        session, fetch.url, extracted.document, snapshot, extractor_version, now
    )
    note_fetched(session, fetch.url, fetch.status, now)
    note_present(session, fetch.url, now)
    outcome = Outcome.NEW_VERSION if record.is_new_version else Outcome.UNCHANGED
    return IngestResult(outcome, snapshot.id, record, None, path)


def _answered(
    session: Session,
    fetch: FetchRecord,
    snapshot: Snapshot,
    outcome: Outcome,
    now: datetime,
) -> IngestResult:
    """A detail page's answer without content (304, 404, 403, 5xx): what it means."""
    bookkeep(session, fetch, outcome, now)
    error, path = not_modified_reading(
        session, fetch.url, outcome, etag=fetch.etag, besides=snapshot.id
    )
    snapshot.extraction_path = path
    if error is not None:
        outcome = Outcome.STILL_UNRECOGNIZED
    return IngestResult(outcome, snapshot.id, None, error, path)


def _unusable(
    session: Session,
    fetch: FetchRecord,
    snapshot: Snapshot,
    error: str,
    now: datetime,
    outcome: Outcome,
) -> IngestResult:
    """A page answered but gave no version: the snapshot keeps why."""
    snapshot.extract_error = error
    logger.warning("no version from %s: %s", fetch.url, error)
    note_fetched(session, fetch.url, fetch.status, now)
    note_present(session, fetch.url, now)
    return IngestResult(outcome, snapshot.id, None, error)


def not_modified_reading(
    session: Session,
    url: str,
    outcome: Outcome,
    *,
    etag: str | None = None,
    besides: int | None = None,
) -> tuple[str | None, ExtractionPath | None]:
    """For a 304: the error of the content it confirms, if that was unusable, and
    the path its extraction took (a 304 keeps the page where it was)."""
    if outcome is not Outcome.NOT_MODIFIED:
        return None, None
    return last_content_reading(session, url, etag=etag, besides=besides)


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
