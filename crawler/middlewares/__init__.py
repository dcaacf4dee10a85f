"""Downloader middlewares of the mofa crawl: retries, challenges, redirects, robots."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


def crawl_stats(crawler: Crawler) -> StatsCollector:
    """The crawler's stats collector (always set once the crawl runs)."""
    assert crawler.stats is not None
    return crawler.stats
