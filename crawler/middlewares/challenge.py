"""WAF and bot challenges: recognized as blocked, never retried, never stored."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy import Request
from scrapy.http import Response

from crawler.blocking import is_challenge
from crawler.middlewares import crawl_stats

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["ChallengeMiddleware", "is_challenge"]

logger = logging.getLogger(__name__)


class ChallengeMiddleware:
    """Spot WAF/bot challenges (403, 503, even 200): never retried, never stored."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if is_challenge(
            response.status, response.headers.get(b"cf-mitigated"), response.body
        ):
            request.meta["challenge"] = True
            request.meta["dont_retry"] = True
            crawl_stats(self.crawler).inc_value("mofa/challenges")
        elif response.status == 403:
            request.meta["dont_retry"] = True
        return response
