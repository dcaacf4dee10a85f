"""Redirects that leave the watched host are refused; the spider records them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.middlewares import crawl_stats

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class OffHostRedirectMiddleware:
    """Refuse redirects that leave the watched host; the spider records them."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if not 300 <= response.status < 400 or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        if urlsplit(target).netloc.lower() != urlsplit(request.url).netloc.lower():
            logger.warning("refused off-host redirect %s -> %s", request.url, target)
            request.meta["dont_redirect"] = True
            request.meta["refused_redirect"] = target
            crawl_stats(self.crawler).inc_value("mofa/refused_redirects")
        return response
