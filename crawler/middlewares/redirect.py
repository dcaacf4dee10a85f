"""Redirects: off-host ones refused (3xx and meta refresh alike), loops cut short.

The spider records each refusal as a failed fetch; nothing from another host, and
nothing a loop never reached, is stored as the page.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.response import get_meta_refresh

from crawler.middlewares import CrawlerMiddleware, crawl_stats

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class OffHostRedirectMiddleware(CrawlerMiddleware):
    """3xx: refuse another host and a URL already in the chain (a loop)."""

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if not 300 <= response.status < 400 or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        if not _same_host(target, request.url):
            _refuse(self.crawler, request, target)
        elif _seen(target, request):
            logger.warning("redirect loop %s -> %s", request.url, target)
            request.meta["dont_redirect"] = True
            request.meta["redirect_loop"] = target
            crawl_stats(self.crawler).inc_value("mofa/redirect_loops")
        else:
            # The redirected request inherits this flag: were it filtered as a
            # duplicate, the page would vanish from the crawl without a trace.
            request.dont_filter = True
        return response


class OffHostRefreshMiddleware(CrawlerMiddleware):
    """<meta http-equiv="refresh"> to another host: refused like an off-host 3xx.

    Sits between decompression and Scrapy's MetaRefreshMiddleware, so it reads the
    same markup, the same way, that MetaRefreshMiddleware would follow.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.ignore_tags = crawler.settings.getlist("METAREFRESH_IGNORE_TAGS")
        self.max_delay = crawler.settings.getint("METAREFRESH_MAXDELAY")

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or request.meta.get("challenge"):
            return response
        interval, url = get_meta_refresh(response, ignore_tags=self.ignore_tags)
        if url is None or interval is None or interval >= self.max_delay:
            return response
        if not _same_host(url, request.url):
            request.meta["refused_refresh"] = True
            _refuse(self.crawler, request, url)
        elif _seen(url, request):
            request.meta["dont_redirect"] = True
            request.meta["redirect_loop"] = url
        else:
            request.dont_filter = True  # as for a 3xx: followed, never filtered
        return response


def _refuse(crawler: Crawler, request: Request, target: str) -> None:
    logger.warning("refused off-host redirect %s -> %s", request.url, target)
    request.meta["dont_redirect"] = True
    request.meta["refused_redirect"] = target
    crawl_stats(crawler).inc_value("mofa/refused_redirects")


def _same_host(url: str, other: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(other).netloc.lower()


def _seen(target: str, request: Request) -> bool:
    """The target was already requested on this redirect chain."""
    chain = [*request.meta.get("redirect_urls", ()), request.url]
    return _bare(target) in {_bare(url) for url in chain}


def _bare(url: str) -> str:
    return url.split("#", 1)[0]
