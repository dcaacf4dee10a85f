"""The one Retry-After reading shared by the crawl's retries and the alert channels."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.headers import MAX_RETRY_AFTER_SECONDS, charset_of, parse_retry_after
from crawler.middlewares.retry import BackoffRetryMiddleware
from crawler.spiders.mofa import MofaSpider

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 2.5 ", 2.5),
        (b"7", 7.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("Mon, 23 Nov 2026 12:00:30 GMT", 30.0),
        ("Mon, 23 Nov 2026 12:00:30 +0000", 30.0),
        ("Mon, 23 Nov 2026 12:00:30 -0000", 30.0),
        ("Mon, 23 Nov 2026 21:00:30 +0900", 30.0),
        ("Mon, 23 Nov 2026 11:00:00 GMT", 0.0),  # in the past: at once
        ("99999999999999999999", MAX_RETRY_AFTER_SECONDS),
        ("1e400", MAX_RETRY_AFTER_SECONDS),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER_SECONDS),
    ],
)
def test_retry_after_values_become_bounded_seconds(value, seconds):
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(
    "value", [None, "", "   ", "abc", "nan", "soon", "Mon, 99 Foo 2026", b"\xff\xfe"]
)
def test_unreadable_retry_after_is_none(value):
    assert parse_retry_after(value, NOW) is None


def test_ceiling_is_the_callers():
    assert parse_retry_after("600", NOW, ceiling=120.0) == 120.0


def _middleware() -> BackoffRetryMiddleware:
    crawler = get_crawler(
        MofaSpider,
        {"RETRY_BACKOFF_BASE": 3.0, "RETRY_AFTER_MAX": 120.0, "RETRY_429_TIMES": 1},
    )
    crawler.spider = crawler._create_spider()
    return BackoffRetryMiddleware(crawler)


@pytest.mark.parametrize(
    ("header", "pause"),
    [
        ("abc", 3.0),  # unreadable: the backoff base
        ("-10", 0.0),
        ("Fri, 31 Dec 9999 23:59:59 -0000", 120.0),  # clamped to RETRY_AFTER_MAX
        ("Mon, 23 Nov 2020 12:00:30 GMT", 0.0),  # in the past: at once
        ("99999999999", 120.0),
    ],
)
def test_crawl_retry_of_a_429_copes_with_any_retry_after(header, pause):
    middleware = _middleware()
    request = Request("https://www.mofa.go.jp/press/release/index.html")
    response = HtmlResponse(
        request.url, status=429, headers={"Retry-After": header}, request=request
    )
    retry = middleware.process_response(request, response)
    assert isinstance(retry, Request)
    assert retry.meta["retry_times"] == 1
    resume_at = middleware._resume_at["www.mofa.go.jp"]
    assert resume_at - time.monotonic() == pytest.approx(pause, abs=1.0)


def test_the_crawl_and_the_channels_read_retry_after_with_one_parser():
    from crawler.middlewares import retry
    from monitor.alerts.notifiers import webhook

    for module in (retry, webhook):
        assert getattr(module, "parse_retry_after") is parse_retry_after  # noqa: B009


@pytest.mark.parametrize(
    ("value", "charset"),
    [
        ("text/html; charset=UTF-8", "utf-8"),
        ('text/html; Charset="Shift_JIS"', "shift_jis"),
        ("text/html;charset=euc-jp; boundary=x", "euc-jp"),
        ("text/html", None),
        ("text/html; charset=", None),
        (None, None),
    ],
)
def test_the_charset_of_a_content_type(value, charset):
    assert charset_of(value) == charset
