"""robots.txt for the crawl, read per RFC 9309 and kept as a snapshot between runs.

2xx -> its rules; 4xx (403, 404, ...) -> everything allowed; 5xx, 429, the proxy's 407
or no answer -> everything disallowed for this run (the sections report failed, nothing
is removed).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK

from crawler.middlewares import CrawlerMiddleware, crawl_stats
from crawler.settings import run_of
from storage.db import opened_database, unit_of_work
from storage.robots import StoredRobots, keep_robots, newest_robots
from storage.snapshots import FetchRecord

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_DISALLOW_ALL = Protego.parse("User-agent: *\nDisallow: /\n")


class RobotsDisallowedError(IgnoreRequest):
    """robots.txt forbids this URL."""


class RobotsUnavailableError(IgnoreRequest):
    """robots.txt could not be read (5xx, 429, no answer): nothing is fetched."""


class RobotsPolicyMiddleware(CrawlerMiddleware):
    """Obey robots.txt, with an explicit answer for every status robots.txt can have."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        super().__init__(crawler)
        self.user_agent: str = crawler.settings.get("USER_AGENT", "*")
        self._rules: dict[str, asyncio.Future[tuple[Protego, bool]]] = {}
        self._cache = RobotsCache(run_of(crawler.settings).database_url)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return None
        rules, available = await self._rules_for(request.url)
        if not available:
            crawl_stats(self.crawler).inc_value("robotstxt/unavailable_refused")
            raise RobotsUnavailableError(f"robots.txt unavailable: {request.url}")
        if not rules.can_fetch(request.url, self.user_agent):
            crawl_stats(self.crawler).inc_value("robotstxt/forbidden")
            raise RobotsDisallowedError(f"Forbidden by robots.txt: {request.url}")
        return None

    async def _rules_for(self, url: str) -> tuple[Protego, bool]:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._rules:
            future: asyncio.Future[tuple[Protego, bool]] = (
                asyncio.get_running_loop().create_future()
            )
            self._rules[key] = future
            future.set_result(await self._fetch_rules(key + "/robots.txt"))
        return await asyncio.shield(self._rules[key])

    async def _fetch_rules(self, robots_url: str) -> tuple[Protego, bool]:
        cached = self._cache.load(robots_url)
        request = Request(
            robots_url,
            headers=_conditional_headers(cached) if cached else None,
            meta={"dont_obey_robotstxt": True, "is_robots": True},
            callback=NO_CALLBACK,
            priority=1000,
        )
        stats = crawl_stats(self.crawler)
        assert self.crawler.engine is not None
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # any failure to get an answer: RFC 9309 "unreachable"
            logger.warning("robots.txt unreachable (%s): nothing will be fetched", exc)
            stats.set_value("robotstxt/status", 0)
            return _DISALLOW_ALL, False
        stats.set_value("robotstxt/status", response.status)
        if response.status == 304 and cached is not None:
            return Protego.parse(cached.text), True
        if 200 <= response.status < 300:
            self._cache.save(robots_url, response)
            return Protego.parse(response.body.decode("utf-8", "replace")), True
        if response.status in (407, 429) or response.status >= 500:  # 407: proxy
            logger.warning(
                "robots.txt answered %s: nothing will be fetched this run",
                response.status,
            )
            return _DISALLOW_ALL, False
        logger.info("robots.txt answered %s: treated as allow-all", response.status)
        return Protego.parse(""), True


def _conditional_headers(cached: StoredRobots) -> dict[str, str]:
    headers = {}
    if cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    return headers


class RobotsCache:
    """robots.txt kept as a snapshot, so each run can ask for it conditionally."""

    def __init__(self, database_url: str | None) -> None:
        self.database_url = database_url

    def load(self, url: str) -> StoredRobots | None:
        if not self.database_url:
            return None
        with opened_database(self.database_url) as factory, factory() as session:
            return newest_robots(session, url)

    def save(self, url: str, response: Response) -> None:
        if not self.database_url:
            return
        fetch = FetchRecord(
            url=url,
            fetched_at=datetime.now(UTC),
            status=response.status,
            body=response.body,
            etag=_text(response.headers.get(b"ETag")),
            last_modified=_text(response.headers.get(b"Last-Modified")),
            content_type=_text(response.headers.get(b"Content-Type")),
        )
        with (
            opened_database(self.database_url) as factory,
            unit_of_work(factory) as session,
        ):
            keep_robots(session, fetch)


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None
