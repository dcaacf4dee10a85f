"""Every request of the crawl through the run's proxy (RunConfig.proxy_url), or none.

Scrapy's HttpProxyMiddleware does the proxying (and turns credentials in the URL into
a Proxy-Authorization header); this sets its `proxy` meta key on each request, so that
the parent's choice is the only one: None means a direct connection even when the
crawl's environment names a proxy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy import Request

from crawler.settings import run_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class RunProxyMiddleware:
    def __init__(self, proxy_url: str | None) -> None:
        self.proxy_url = proxy_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(run_of(crawler.settings).proxy_url)

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("proxy", self.proxy_url)
