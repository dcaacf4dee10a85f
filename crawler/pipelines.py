"""Store every fetch, one page per transaction, extracted before it opens; count each.

The page goes the one way every page is stored (storage.ingest, then
storage.ingest_batch as a batch of one): a crawl killed mid-run loses at most the
page in hand. The counting (and the statistics the crawl reports) is
crawler/extensions/stats.py.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Self

from crawler.extensions.stats import count_fetch, count_index, count_problem
from crawler.extract.current import current_extractor
from crawler.items import FetchedPage, PageRole
from crawler.settings import run_of
from storage.db import close_database, open_database, unit_of_work
from storage.ingest import BatchItem, Extractor, IngestResult, extract_items
from storage.ingest_batch import store_batch
from storage.snapshots import FetchRecord

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from storage.db import SessionFactory

logger = logging.getLogger(__name__)


class StoreFetchPipeline:
    """FetchedPage -> extracted -> storage.ingest_batch.store_batch."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.run = run_of(crawler.settings)
        self.factory: SessionFactory | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @functools.cached_property
    def extractor(self) -> Extractor:
        """Loaded with the first page to extract: a cycle of 304s never needs it."""
        return current_extractor()

    def open_spider(self) -> None:
        self.factory = open_database(self.run.database_url)

    def process_item(self, item: FetchedPage) -> FetchedPage:
        if item.role is PageRole.INDEX and item.section:
            count_index(self.stats, item)
        if not item.is_stored_answer:
            # No answer about the page (time-out, too large, refused redirect, loop):
            # a failed fetch, nothing stored, so nothing lends its validators.
            count_problem(self.stats, item)
            return item
        result = self._store(item)
        count_fetch(
            self.stats,
            item,
            result.outcome,
            new_document=result.record is not None and result.record.is_new_document,
            removed=result.removed,
            error=result.error,
        )
        return item

    def _store(self, item: FetchedPage) -> IngestResult:
        assert self.factory is not None
        fetch = FetchRecord(
            url=item.url,
            fetched_at=item.fetched_at,
            status=item.status,
            body=item.body,
            etag=item.etag,
            last_modified=item.last_modified,
            final_url=item.final_url,
            charset=item.charset,
            content_type=item.content_type,
        )
        page = BatchItem(fetch, item.fetched_at, item.role is PageRole.DETAIL)
        if page.to_extract:
            # Extraction, the long part, holds no transaction (nor SQLite's write lock).
            extract_items([page], self.extractor)
        # The extractor's version is stored only with a new version: read it only then.
        version = self.extractor.version if page.document is not None else ""
        with unit_of_work(self.factory) as session:
            (result,) = store_batch(
                session, [page], extractor_version=version, run_id=self.run.run_id
            )
        return result

    def close_spider(self) -> None:
        if self.factory is not None:
            close_database(self.factory)
