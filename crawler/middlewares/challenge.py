"""Hostile answers in the crawl: a block (WAF refusal, bot challenge) or a soft 404 is
marked on the request, never retried and never stored as content; crawler.blocking
judges.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.http import Response

from crawler.blocking import Hostile, classify, is_challenge
from crawler.middlewares import CrawlerMiddleware, crawl_stats

__all__ = ["ChallengeMiddleware", "Hostile", "classify", "is_challenge"]

logger = logging.getLogger(__name__)


class ChallengeMiddleware(CrawlerMiddleware):
    """Spot blocks and soft 404s on every status: never retried, never content."""

    def process_response(self, request: Request, response: Response) -> Response:
        verdict = classify(
            response.status, response.headers.get(b"cf-mitigated"), response.body
        )
        if verdict is Hostile.BLOCKED:
            request.meta["challenge"] = True
            request.meta["dont_retry"] = True
            crawl_stats(self.crawler).inc_value("mofa/challenges")
            logger.warning("%s: blocked (%s)", request.url, response.status)
        elif verdict is Hostile.NOT_FOUND:
            request.meta["soft_404"] = True
            crawl_stats(self.crawler).inc_value("mofa/soft_404")
            logger.warning("%s: a 'not found' page answered 200", request.url)
        elif response.status == 403:
            request.meta["dont_retry"] = True
        return response
