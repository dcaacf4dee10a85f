"""Store every fetch through storage.ingest, one unit of work per item; count each one.

The counting (and the statistics the crawl reports) is crawler/extensions/stats.py.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from crawler.extensions.stats import count_fetch, count_index, count_problem
from crawler.items import FetchedPage, PageRole
from crawler.settings import run_of
from storage.db import close_database, open_database, unit_of_work
from storage.documents import is_removed
from storage.ingest import Extracted, IngestResult, Outcome, ingest_fetch
from storage.snapshots import FetchRecord

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from storage.db import SessionFactory

logger = logging.getLogger(__name__)


def extract_document(body: bytes, url: str, charset: str | None) -> Extracted:
    """The shared extractor as storage.ingest wants it: a Document dict and its path."""
    from crawler.extract.extractor import extract_with_report

    document, report = extract_with_report(body, url, http_charset=charset)
    return Extracted(document.to_dict(), report.path)


def extractor_version() -> str:
    from crawler.extract.extractor import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


class StoreFetchPipeline:
    """FetchedPage -> storage.ingest.ingest_fetch, one transaction per item."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.run = run_of(crawler.settings)
        self.factory: SessionFactory | None = None
        self.version = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.factory = open_database(self.run.database_url)
        self.version = extractor_version()

    def process_item(self, item: FetchedPage) -> FetchedPage:
        if item.role is PageRole.INDEX and item.section:
            count_index(self.stats, item)
        if not item.is_stored_answer:
            # No answer about the page (time-out, too large, refused redirect, loop):
            # a failed fetch, nothing stored, so nothing lends its validators.
            count_problem(self.stats, item)
            return item
        result, removed = self._ingest(item)
        count_fetch(
            self.stats,
            item,
            result.outcome,
            new_document=result.record is not None and result.record.is_new_document,
            removed=removed,
            error=result.error,
        )
        return item

    def _ingest(self, item: FetchedPage) -> tuple[IngestResult, bool]:
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
        with unit_of_work(self.factory) as session:
            was_removed = is_removed(session, item.url)
            result = ingest_fetch(
                session,
                fetch,
                extractor=extract_document,
                extractor_version=self.version,
                now=item.fetched_at,
                run_id=self.run.run_id,
                is_detail=item.role is PageRole.DETAIL,
            )
            removed = (
                result.outcome is Outcome.MISSING
                and not was_removed
                and is_removed(session, item.url)
            )
        return result, removed

    def close_spider(self) -> None:
        if self.factory is not None:
            close_database(self.factory)
