"""Many responses at once: the decisions of ingest_fetch with a few set-based queries.

Used by replay, in two steps: extract_items runs the extractor with no database
open, store_batch writes the results. A batch is stored in parts cut wherever a URL
comes back, so every URL occurs once per part; a part that meets a concurrent
writer is redone record by record (ingest_fetch) with the documents already
extracted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import typing
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.batch_documents import BatchItem, insert_ignore, record_documents
from storage.bulk import Conflict, insert_rows
from storage.ingest import (
    Extracted,
    Extractor,
    IngestResult,
    Outcome,
    bookkeep,
    ingest_fetch,
    not_modified_reading,
    run_extractor,
    status_outcome,
)
from storage.models import Snapshot, SnapshotBody
from storage.normalize import content_hash
from storage.regression import suspect_reason
from storage.snapshots import CODEC, FetchRecord, compress, snapshot_values
from storage.suspects import changed_contents

logger = logging.getLogger(__name__)

_snapshots = typing.cast(Table, Snapshot.__table__)
_bodies = typing.cast(Table, SnapshotBody.__table__)


def ingest_batch(
    session: Session,
    fetches: Sequence[FetchRecord],
    *,
    extractor: Extractor,
    extractor_version: str,
    now_of: Callable[[FetchRecord], datetime] = lambda fetch: fetch.fetched_at,
    run_id: int | None = None,
    is_detail: Callable[[FetchRecord], bool] = lambda fetch: True,
) -> list[IngestResult]:
    """ingest_fetch for each record in order, with the same rows as a result."""
    items = [BatchItem(f, now_of(f), is_detail(f)) for f in fetches]
    extract_items(items, extractor)
    return store_batch(
        session, items, extractor_version=extractor_version, run_id=run_id
    )


def extract_items(items: Sequence[BatchItem], extractor: Extractor) -> None:
    """Fill in body digests, documents and content hashes; touches no database.

    An unrecognizable page (ValueError) becomes the item's error, as ingest_fetch
    stores it in the snapshot.
    """
    for item in items:
        _extract(item, extractor)


def store_batch(
    session: Session,
    items: Sequence[BatchItem],
    *,
    extractor_version: str,
    run_id: int | None = None,
) -> list[IngestResult]:
    """Store extracted items in order: the rows ingest_fetch would leave."""
    results: list[IngestResult] = []
    for part in _parts(items):
        session.flush()
        try:
            with session.begin_nested():
                results += _ingest_part(session, part, extractor_version, run_id)
        except (Conflict, IntegrityError):
            logger.info(
                "concurrent writer met; storing %d records one by one", len(part)
            )
            results += [
                ingest_fetch(
                    session,
                    item.fetch,
                    extractor=_extracted(item),
                    extractor_version=extractor_version,
                    now=item.now,
                    run_id=run_id,
                    is_detail=item.is_detail,
                )
                for item in part
            ]
    return results


def _extracted(item: BatchItem) -> Extractor:
    """An extractor that answers with what extract_items found for this item."""

    def answer(body: bytes, url: str, charset: str | None) -> Extracted:
        if item.document is None:
            raise ValueError(item.error or "not extracted")
        return Extracted(item.document, item.path)

    return answer


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


def _extract(item: BatchItem, extractor: Extractor) -> None:
    fetch = item.fetch
    if fetch.status != 200:
        return
    if fetch.body is not None:
        item.body_sha256 = hashlib.sha256(fetch.body).hexdigest()
    if not item.is_detail:
        return
    try:
        extracted = run_extractor(extractor, fetch)
    except ValueError as exc:
        item.error = str(exc) or type(exc).__name__
        logger.warning("extract failed for %s: %s", fetch.url, item.error)
        return
    item.document, item.path = extracted.document, extracted.path
    item.digest = content_hash(item.document)


def _ingest_part(
    session: Session, items: list[BatchItem], extractor_version: str, run_id: int | None
) -> list[IngestResult]:
    _store_bodies(session, items)
    _judge_regressions(session, items)
    confirmed = _confirmed_readings(session, items)
    rows = []
    for item in items:
        # Only a 200 body is content; 403/429 challenge pages and 404s are not.
        fetch = item.fetch
        stored = fetch if fetch.status == 200 else dataclasses.replace(fetch, body=None)
        values = snapshot_values(stored, item.body_sha256, run_id)
        rows.append(
            values | {"extract_error": item.error, "extraction_path": item.path}
        )
    snapshot_ids = insert_rows(session, _snapshots, rows)
    records = record_documents(session, items, snapshot_ids, extractor_version)
    results = []
    for item, snapshot_id in zip(items, snapshot_ids, strict=True):
        fetch = item.fetch
        if item.document is not None:
            record = records[fetch.url]
            outcome = (
                Outcome.NEW_VERSION if record.is_new_version else Outcome.UNCHANGED
            )
            result = IngestResult(outcome, snapshot_id, record, None, item.path)
            results.append(result)
            continue
        outcome = status_outcome(fetch.status)
        error = item.error
        if item.is_detail and error is not None:
            bookkeep(session, fetch, Outcome.NOT_MODIFIED, item.now)  # present
            outcome = Outcome.SUSPECT if item.suspect else Outcome.EXTRACT_FAILED
        elif item.is_detail:
            bookkeep(session, fetch, outcome, item.now)
            error = confirmed.get(fetch.url)
            if error is not None:
                outcome = Outcome.STILL_UNRECOGNIZED
        results.append(IngestResult(outcome, snapshot_id, None, error, item.path))
    session.flush()
    return results


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
            errors[url], item.path = not_modified_reading(
                session, url, outcome, etag=item.fetch.etag
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
            logger.warning("no version from %s: %s", item.fetch.url, reason)
            item.document, item.digest = None, None
            item.error, item.suspect = reason, True


def _store_bodies(session: Session, items: list[BatchItem]) -> None:
    bodies = {
        item.body_sha256: item.fetch.body
        for item in items
        if item.body_sha256 is not None and item.fetch.body is not None
    }
    if not bodies:
        return
    db = session.connection()
    known = set(
        db.execute(
            select(_bodies.c.sha256).where(_bodies.c.sha256.in_(list(bodies)))
        ).scalars()
    )
    rows = [
        {"sha256": sha, "codec": CODEC, "raw_size": len(body), "data": compress(body)}
        for sha, body in bodies.items()
        if sha not in known
    ]
    if rows:
        db.execute(insert_ignore(session, "bodies"), rows)
