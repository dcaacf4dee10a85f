"""Downloader middlewares of the mofa crawl: retries, challenges, redirects, robots."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


def crawl_stats(crawler: Crawler) -> StatsCollector:
    """The crawler's stats collector (always set once the crawl runs)."""
    assert crawler.stats is not None
    return crawler.stats


class CrawlerMiddleware:
    """A middleware made by Scrapy for one crawler, which it keeps."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)
