"""Polite retries: 5xx, time-outs and resets with pauses; 429 per Retry-After."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import load_object

from crawler.headers import parse_retry_after
from crawler.middlewares import CrawlerMiddleware

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(CrawlerMiddleware):
    """Retry 5xx, time-outs and resets with growing pauses; wait out 429 Retry-After.

    A pause applies to the whole host: requests queued meanwhile wait too.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        super().__init__(crawler)
        self.retry_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.max_retries = settings.getint("RETRY_TIMES")
        self.max_429_retries = settings.getint("RETRY_429_TIMES", 1)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)
        self.exceptions = tuple(
            load_object(name) for name in settings.getlist("RETRY_EXCEPTIONS")
        )
        self._resume_at: dict[str, float] = {}

    async def process_request(self, request: Request) -> None:
        wait = self._resume_at.get(urlsplit(request.url).netloc, 0.0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        return None

    def process_response(
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry"):
            return response
        if response.status == 429:
            wait = self._retry_after(response)
            retry = self._retry(
                request, f"429 (waiting {wait:.1f}s)", self.max_429_retries, "retry_429"
            )
            if retry is not None:
                self._pause(request.url, wait)
            return retry or response
        if response.status in self.retry_codes:
            return (
                self._retry_with_backoff(request, f"HTTP {response.status}") or response
            )
        return response

    def process_exception(
        self, request: Request, exception: Exception
    ) -> Request | None:
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions):
            return None
        return self._retry_with_backoff(request, type(exception).__name__)

    def _retry_with_backoff(self, request: Request, reason: str) -> Request | None:
        attempt = int(request.meta.get("retry_times", 0))
        retry = self._retry(request, reason, self.max_retries, "retry")
        if retry is not None:
            self._pause(
                request.url, min(self.backoff_base * 2**attempt, self.backoff_max)
            )
        return retry

    def _retry(
        self, request: Request, reason: str, max_times: int, key: str
    ) -> Request | None:
        assert self.crawler.spider is not None
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=max_times,
            stats_base_key=key,
            give_up_log_level="WARNING",
        )

    def _pause(self, url: str, seconds: float) -> None:
        host = urlsplit(url).netloc
        until = time.monotonic() + seconds
        self._resume_at[host] = max(self._resume_at.get(host, 0.0), until)

    def _retry_after(self, response: Response) -> float:
        """The pause a 429 asks for; the backoff base if it asks for nothing usable."""
        wait = parse_retry_after(
            response.headers.get(b"Retry-After"), ceiling=self.retry_after_max
        )
        return self.backoff_base if wait is None else wait
