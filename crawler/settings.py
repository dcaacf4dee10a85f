"""Scrapy settings for the mofa crawl: polite defaults; per-run values come with -s.

The environment is read once, here, for the two defaults DESIGN.md names.
"""

from __future__ import annotations

import importlib.util
import logging
import os

logger = logging.getLogger(__name__)

_ENV = os.environ

BOT_NAME = "mofawatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# What the spider is told (all overridable with `scrapy crawl mofa -s NAME=value`).
DATABASE_URL = _ENV.get("MOFAWATCH_DATABASE_URL", "sqlite:///mofawatch.db")
SITE_BASE_URL = _ENV.get("MOFAWATCH_BASE_URL", "https://www.mofa.go.jp")
SITE_SECTIONS = "press_releases,press_conferences,statements,japan_us"
SITE_SINCE = "2022-01"
RUN_ID = 0
WARC_PATH = ""
CRAWL_NOW = ""
REVISIT_EVERY_CYCLE_DAYS = 3.0
REVISIT_DAILY_UNTIL_DAYS = 30.0
REVISIT_WEEKLY_UNTIL_DAYS = 365.0
REVISIT_MONTHLY_AFTER = True
ARCHIVE_RECHECK_DAYS = 7.0

# Politeness: one request at a time, a delay that AutoThrottle can only lengthen.
USER_AGENT = "mofawatch/0.1 (+https://github.com/mofawatch/mofawatch)"
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
LOG_LEVEL = "INFO"

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
    "crawler.middlewares.redirect.OffHostRedirectMiddleware": 650,
}

ITEM_PIPELINES = {
    "crawler.pipelines.StoreFetchPipeline": 300,
}

# WARC output (crawler/extensions/warc.py); it does nothing while WARC_PATH is empty.
EXTENSIONS: dict[str, int] = {}
if importlib.util.find_spec("crawler.extensions.warc") is not None:
    EXTENSIONS["crawler.extensions.warc.WarcWriterExtension"] = 500

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
