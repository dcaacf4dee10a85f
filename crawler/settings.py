"""Scrapy settings for the mofa crawl: polite defaults, and per_run() for one crawl.

Every per-run value (site, database, clock, delays, time-outs) comes from the
RunConfig the parent hands over (crawler.contract); nothing is read from the
environment here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from crawler.contract import RunConfig

logger = logging.getLogger(__name__)

BOT_NAME = "mofawatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Politeness: one request at a time, a delay that AutoThrottle can only lengthen.
# Scrapy's own AutoThrottle is replaced by AnswerThrottle (crawler.extensions.throttle),
# the same rule except that a 304 may bring the delay back down as a 200 does.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 2.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port inside a scheduled crawl
# Our own handler (crawler.logevents) sends log records to the parent as events.
LOG_INSTALL_ROOT_HANDLER = False
LOGSTATS_INTERVAL = 0.0  # progress events replace the "Crawled N pages" line

# Retries only for server errors, time-outs and resets, with growing pauses; 403/404
# are answers, and 429 is handled on its own (Retry-After) by the middleware below.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
RETRY_AFTER_MAX = 120.0
RETRY_429_TIMES = 1

# The spider sees every status (304, 403, 404, 410, 429, 5xx) and decides.
HTTPERROR_ALLOW_ALL = True

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.RobotsPolicyMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    "crawler.middlewares.challenge.ChallengeMiddleware": 560,
    # Responses pass from the highest number down: the meta refresh is read after
    # decompression (590) and before Scrapy follows it (580); a 3xx before Scrapy's
    # RedirectMiddleware (600) follows it.
    "crawler.middlewares.redirect.OffHostRefreshMiddleware": 585,
    "crawler.middlewares.redirect.OffHostRedirectMiddleware": 650,
    # Before Scrapy's HttpProxyMiddleware (750), which does the proxying.
    "crawler.middlewares.proxy.RunProxyMiddleware": 740,
}

ITEM_PIPELINES = {
    "crawler.pipelines.StoreFetchPipeline": 300,
}

# Scrapy's own extensions, less those a scheduled crawl never uses: telnet, remote
# control, feeds, job state, periodic log lines, and AutoThrottle (replaced above).
# Scrapy imports every class this names, even one set to None, and the remote
# control alone brings in aiohttp: about a tenth of every crawl's start.
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
}
EXTENSIONS = {
    "crawler.extensions.throttle.AnswerThrottle": 0,
    "crawler.extensions.lifeline.ParentWatch": 100,
    "crawler.extensions.stats.CrawlReporter": 400,
    "crawler.extensions.warc.WarcWriterExtension": 500,  # only with a WARC path
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"


def per_run(run: RunConfig) -> dict[str, Any]:
    """The Scrapy settings that depend on this crawl's RunConfig."""
    from crawler.contract import RUN_SETTING

    return {
        RUN_SETTING: run,
        "USER_AGENT": run.user_agent,
        "DOWNLOAD_DELAY": run.download_delay,
        "AUTOTHROTTLE_START_DELAY": run.download_delay,
        "DOWNLOAD_TIMEOUT": run.timeout_seconds,
        "RETRY_TIMES": run.retry_times,
        "RETRY_BACKOFF_BASE": run.retry_backoff_seconds,
        # A larger page (on the wire or inflated) fails as too_large; a warning from
        # half of it.
        "DOWNLOAD_MAXSIZE": run.max_response_bytes,
        "DOWNLOAD_WARNSIZE": run.max_response_bytes // 2,
        "LOG_LEVEL": run.log_level.value,
    }


def run_of(settings: BaseSettings) -> RunConfig:
    """The RunConfig of this crawl (set by per_run)."""
    from crawler.contract import RUN_SETTING, RunConfig

    run = settings.get(RUN_SETTING)
    if not isinstance(run, RunConfig):
        raise RuntimeError(
            "no run configuration: start the crawl with `python -m crawler`, which "
            "reads it on standard input (`mofawatch run` does this)"
        )
    return run
