"""The crawl's AutoThrottle: a sweep of 304s keeps the configured delay."""

from __future__ import annotations

import pytest
from scrapy.core.downloader import Slot
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.test import get_crawler

from crawler import settings as crawl_settings
from crawler.extensions.throttle import AnswerThrottle

URL = "http://127.0.0.1/press/release/page1e_000001.html"


def _throttle(kind: type[AutoThrottle], delay: float) -> AutoThrottle:
    crawler = get_crawler(
        settings_dict={
            "AUTOTHROTTLE_ENABLED": True,
            "DOWNLOAD_DELAY": delay,
            "AUTOTHROTTLE_START_DELAY": delay,
            "AUTOTHROTTLE_MAX_DELAY": 60.0,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        }
    )
    throttle = kind.from_crawler(crawler)
    throttle.mindelay = throttle._min_delay()
    throttle.maxdelay = throttle._max_delay()
    return throttle


def _sweep(throttle: AutoThrottle, delay: float) -> list[float]:
    """One slow page, then a sweep of fast 304s; the delay after each answer."""
    slot = Slot(concurrency=1, delay=delay, jitter=0)
    answers = [(200, 1.5)] + [(304, 0.01)] * 20
    delays = []
    for status, latency in answers:
        throttle._adjust_delay(slot, latency, Response(URL, status=status))
        delays.append(slot.delay)
    return delays


@pytest.mark.parametrize("delay", [0.0, 0.5])
def test_a_sweep_of_304s_returns_to_the_configured_delay(delay):
    ours = _sweep(_throttle(AnswerThrottle, delay), delay)
    stock = _sweep(_throttle(AutoThrottle, delay), delay)
    assert ours[0] == stock[0] == 1.5  # a slow answer slows the crawl down
    assert ours[-1] == pytest.approx(max(delay, 0.01), abs=1e-3)
    assert ours == sorted(ours, reverse=True)
    assert stock[-1] == 1.5  # Scrapy's rule: a 304 never lowers the delay


def test_errors_still_only_raise_the_delay():
    throttle = _throttle(AnswerThrottle, 0.5)
    slot = Slot(concurrency=1, delay=3.0, jitter=0)
    throttle._adjust_delay(slot, 0.01, Response(URL, status=404))
    assert slot.delay == 3.0
    throttle._adjust_delay(slot, 8.0, Response(URL, status=503))
    assert slot.delay == 8.0
    throttle._adjust_delay(slot, 90.0, Response(URL, status=304))
    assert slot.delay == 60.0  # never above AUTOTHROTTLE_MAX_DELAY


def test_the_crawl_runs_answer_throttle_instead_of_scrapys():
    project = Settings()
    project.setmodule(crawl_settings, priority="project")
    enabled = build_component_list(project.getwithbase("EXTENSIONS"))
    assert "crawler.extensions.throttle.AnswerThrottle" in enabled
    assert "scrapy.extensions.throttle.AutoThrottle" not in enabled
    assert project.getbool("AUTOTHROTTLE_ENABLED")
