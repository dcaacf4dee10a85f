"""Storing fetches in tests the way the crawl and replay do: extract, then store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from storage.db import DbSession
from storage.ingest import BatchItem, Extractor, IngestResult, extract_items
from storage.ingest_batch import store_batch
from storage.snapshots import FetchRecord


def ingest_many(
    session: DbSession,
    fetches: Sequence[FetchRecord],
    extractor: Extractor,
    *,
    run_id: int | None = None,
    is_detail: Callable[[FetchRecord], bool] = lambda fetch: True,
) -> list[IngestResult]:
    """The fetches as one batch, each at its own fetch time."""
    items = [BatchItem(f, f.fetched_at, is_detail(f)) for f in fetches]
    extract_items(items, extractor)
    return store_batch(
        session, items, extractor_version=extractor.version, run_id=run_id
    )


def ingest_one(
    session: DbSession,
    fetch: FetchRecord,
    extractor: Extractor,
    *,
    now: datetime | None = None,
    run_id: int | None = None,
    is_detail: bool = True,
) -> IngestResult:
    """One fetch as the crawl stores it: a batch of one, at `now` (else its time)."""
    item = BatchItem(fetch, now or fetch.fetched_at, is_detail)
    extract_items([item], extractor)
    (result,) = store_batch(
        session, [item], extractor_version=extractor.version, run_id=run_id
    )
    return result
