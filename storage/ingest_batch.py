"""The one writer of fetched pages: a batch of extracted items, set-based.

The crawl hands it each page as a batch of one, replay batches of hundreds; both
extracted them first with no database open (storage.ingest.extract_items). A batch
is stored in parts cut wherever a URL comes back, so every URL occurs once per
part; a part that meets a concurrent writer is stored again one item at a time.

What a status means: 200 records a version (an extraction error, or an extraction
that lost what the stored version had, is kept on the snapshot and gives none);
304 is present (still unrecognized when the content it confirms was); 404/410
missing; 403/429 blocked (body not kept); 5xx failed. Index pages (not detail) are
stored as snapshots only.
"""

from __future__ import annotations

import dataclasses
import logging
import typing
from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import trained
from storage.batch_documents import insert_ignore, record_documents
from storage.bodies import NewBody, body_rows, store_against_documents
from storage.bulk import Conflict, insert_rows
from storage.documents import note_blocked, note_fetched, note_missing, note_present
from storage.ingest import BatchItem, IngestResult, Outcome, status_outcome
from storage.models import Snapshot, SnapshotBody
from storage.regression import suspect_reason
from storage.snapshots import FetchRecord, snapshot_values
from storage.suspects import changed_contents, last_content_reading
from storage.versions import RecordResult

logger = logging.getLogger(__name__)

_snapshots = typing.cast(Table, Snapshot.__table__)
_bodies = typing.cast(Table, SnapshotBody.__table__)
_ATTEMPTS_ALONE = 3  # a lone item meets a concurrent writer at most this often


def store_batch(
    session: Session,
    items: Sequence[BatchItem],
    *,
    extractor_version: str,
    run_id: int | None = None,
) -> list[IngestResult]:
    """Store extracted items in order; what each one's answer meant."""
    results: list[IngestResult] = []
    for part in _parts(items):
        session.flush()
        try:
            with session.begin_nested():
                results += _ingest_part(session, part, extractor_version, run_id)
        except (Conflict, IntegrityError):
            logger.info("concurrent writer met; storing %d items one by one", len(part))
            for item in part:
                results += _store_alone(session, item, extractor_version, run_id)
    return results


def _store_alone(
    session: Session, item: BatchItem, extractor_version: str, run_id: int | None
) -> list[IngestResult]:
    """One item in a part of its own: it now sees what the other writer stored."""
    for attempt in range(1, _ATTEMPTS_ALONE + 1):
        try:
            with session.begin_nested():
                return _ingest_part(session, [item], extractor_version, run_id)
        except (Conflict, IntegrityError):
            if attempt == _ATTEMPTS_ALONE:
                raise
    raise AssertionError("unreachable")


def _parts(items: Sequence[BatchItem]) -> Iterator[list[BatchItem]]:
    part: list[BatchItem] = []
    urls: set[str] = set()
    for item in items:
        url = item.fetch.url
        if url in urls or url[:512] in urls:
            yield part
            part, urls = [], set()
        part.append(item)
        urls.update((url, url[:512]))
    if part:
        yield part


def _ingest_part(
    session: Session, items: list[BatchItem], extractor_version: str, run_id: int | None
) -> list[IngestResult]:
    stored = _store_bodies(session, items)
    _judge_regressions(session, items)
    confirmed = _confirmed_readings(session, items)
    snapshot_ids = insert_rows(session, _snapshots, _snapshot_rows(items, run_id))
    records = record_documents(session, items, snapshot_ids, extractor_version)
    versioned = _versioned_bodies(items, records, stored)
    if versioned:
        pages = trained.current(session).pages
        store_against_documents(session, versioned, pages)
    results = []
    for item, snapshot_id in zip(items, snapshot_ids, strict=True):
        record = records.get(item.fetch.url) if item.document is not None else None
        if record is not None:
            outcome = (
                Outcome.NEW_VERSION if record.is_new_version else Outcome.UNCHANGED
            )
            results.append(IngestResult(outcome, snapshot_id, record, None, item.path))
        else:
            results.append(_without_version(session, item, snapshot_id, confirmed))
    session.flush()
    return results


def _versioned_bodies(
    items: list[BatchItem],
    records: dict[str, RecordResult],
    stored: dict[str, tuple[bytes, int]],
) -> list[NewBody]:
    """The bodies this part stored whose page gave a new version."""
    found = []
    for item in items:
        record = records.get(item.fetch.url)
        sha, document = item.body_sha256, item.document
        if record is None or not record.is_new_version or record.version_id is None:
            continue
        if sha in stored and sha is not None and document is not None:
            body, size = stored[sha]
            found.append(NewBody(sha, body, size, record.version_id, document))
    return found


def _snapshot_rows(
    items: list[BatchItem], run_id: int | None
) -> list[dict[str, object]]:
    rows = []
    for item in items:
        # Only a 200 body is content; 403/429 challenge pages and 404s are not.
        fetch = item.fetch
        stored = fetch if fetch.status == 200 else dataclasses.replace(fetch, body=None)
        values = snapshot_values(stored, item.body_sha256, run_id)
        rows.append(
            values | {"extract_error": item.error, "extraction_path": item.path}
        )
    return rows


def _without_version(
    session: Session,
    item: BatchItem,
    snapshot_id: int,
    confirmed: dict[str, str | None],
) -> IngestResult:
    """An index page, an answer without content, or content that gave no version."""
    fetch = item.fetch
    outcome = status_outcome(fetch.status)
    error, removed = item.error, False
    if item.is_detail and error is not None:
        _bookkeep(session, fetch, Outcome.NOT_MODIFIED, item.now)  # present
        outcome = Outcome.SUSPECT if item.suspect else Outcome.EXTRACT_FAILED
        logger.warning("no version from %s: %s", fetch.url, error)
    elif item.is_detail:
        removed = _bookkeep(session, fetch, outcome, item.now)
        error = confirmed.get(fetch.url)
        if error is not None:
            outcome = Outcome.STILL_UNRECOGNIZED
    return IngestResult(outcome, snapshot_id, None, error, item.path, removed)


def _bookkeep(
    session: Session, fetch: FetchRecord, outcome: Outcome, now: datetime
) -> bool:
    """The document's presence after this answer; True if it was just removed."""
    note_fetched(session, fetch.url, fetch.status, now)
    if outcome == Outcome.NOT_MODIFIED:
        note_present(session, fetch.url, now)
    elif outcome == Outcome.MISSING:
        return note_missing(session, fetch.url, now)
    elif outcome == Outcome.BLOCKED:
        note_blocked(session, fetch.url, now)
    return False


def _confirmed_readings(
    session: Session, items: list[BatchItem]
) -> dict[str, str | None]:
    """For each detail page answering 304: the error of the content it confirms
    (None: it was fine); the item takes that content's extraction path."""
    errors: dict[str, str | None] = {}
    for item in items:
        outcome = status_outcome(item.fetch.status)
        if item.is_detail and item.error is None and outcome is Outcome.NOT_MODIFIED:
            url = item.fetch.url
            errors[url], item.path = last_content_reading(
                session, url, etag=item.fetch.etag
            )
    return errors


def _judge_regressions(session: Session, items: list[BatchItem]) -> None:
    """Items whose extraction lost what the stored version had become suspect."""
    digests = {
        item.fetch.url: item.digest
        for item in items
        if item.document is not None and item.digest is not None
    }
    stored = changed_contents(session, digests)
    for item in items:
        if item.document is None or item.fetch.url not in stored:
            continue
        reason = suspect_reason(stored[item.fetch.url], item.document)
        if reason is not None:
            item.document, item.digest = None, None
            item.error, item.suspect = reason, True


def _store_bodies(
    session: Session, items: list[BatchItem]
) -> dict[str, tuple[bytes, int]]:
    """Store the bodies not stored yet; sha256 -> (body, bytes stored) of those."""
    new = {
        item.body_sha256: (item.fetch.url, item.fetch.body)
        for item in items
        if item.body_sha256 is not None and item.fetch.body is not None
    }
    if not new:
        return {}
    db = session.connection()
    known = set(
        db.execute(
            select(_bodies.c.sha256).where(_bodies.c.sha256.in_(list(new)))
        ).scalars()
    )
    unknown = {sha: body for sha, body in new.items() if sha not in known}
    rows = body_rows(session, unknown) if unknown else []
    if rows:
        db.execute(insert_ignore(session, "bodies"), rows)
    return {row["sha256"]: (new[row["sha256"]][1], len(row["data"])) for row in rows}
