"""A plain Scrapy spider, as a user's own project would write one, run with
`scrapy runspider` and HTTPCACHE_ENABLED so its HTTP cache can be replayed.

It starts from the sections' list pages and follows every same-host link under the
English press and Japan-U.S. folders; it knows nothing of mofawatch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

START_PATHS = (
    "/press/release/index.html",
    "/press/kaiken/index.html",
    "/press/statement/fm.html",
    "/na/na1/us/index.html",
)
FOLLOWED = ("/press/", "/na/na1/us/")


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(self, base: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    async def start(self) -> Any:
        for path in START_PATHS:
            yield scrapy.Request(self.base + path)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        host = urlsplit(self.base).netloc
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href).split("#", 1)[0]
            parts = urlsplit(url)
            if parts.netloc == host and parts.path.startswith(FOLLOWED):
                yield scrapy.Request(url)
