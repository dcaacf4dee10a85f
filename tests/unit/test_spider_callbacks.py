"""Spider callbacks on saved responses (fixture files), called directly: no reactor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from crawler import plan
from crawler.contract import IndexResult
from crawler.extensions.stats import index_result, section_outcome
from crawler.items import FetchedPage, FetchProblem, PageRole
from crawler.middlewares.challenge import is_challenge
from crawler.middlewares.robots import RobotsDisallowedError
from crawler.spiders.mofa import MofaSpider
from tests.conftest import fixture_path
from tests.run_configs import RUN_SETTING, run_config

BASE = "https://www.mofa.go.jp"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture
def spider() -> MofaSpider:
    run = run_config(base_url=BASE, now=NOW)
    crawler = get_crawler(MofaSpider, {RUN_SETTING: run})
    spider = MofaSpider.from_crawler(crawler)
    spider.base_url = BASE
    spider.since = (2022, 1)
    spider.plan = plan.CrawlPlan(
        known_urls={f"{BASE}/press/release/press4e_003170.html"},
        known_archives={f"{BASE}/press/release/202207_index.html"},
        validators={f"{BASE}/press/release/202305_index.html": ('"v1"', None)},
    )
    return spider


def _response(
    path: str,
    *,
    status: int = 200,
    section: str = "press_releases",
    body: bytes | None = None,
    headers=None,
    meta=None,
) -> HtmlResponse:
    url = BASE + path
    if body is None:
        body = fixture_path("site" + path).read_bytes() if status == 200 else b""
    request = Request(url, meta={"section": section, "role": "index", **(meta or {})})
    return HtmlResponse(
        url,
        status=status,
        body=body,
        request=request,
        headers=headers or {"Content-Type": "text/html; charset=utf-8"},
    )


def _split(results):
    items = [r for r in results if isinstance(r, FetchedPage)]
    requests = [r for r in results if isinstance(r, scrapy.Request)]
    return items, requests


def test_release_index_follows_new_documents_and_unseen_archives(spider):
    items, requests = _split(
        list(spider.parse_index(_response("/press/release/index.html")))
    )
    (item,) = items
    assert (item.role, item.section, item.status) == (
        PageRole.INDEX,
        "press_releases",
        200,
    )
    assert item.charset == "utf-8"
    urls = {r.url: r for r in requests}
    # the known archive (202207) and known document are not requested again
    assert f"{BASE}/press/release/202207_index.html" not in urls
    assert f"{BASE}/press/release/press4e_003170.html" not in urls
    archives = [u for u in urls if u.endswith("_index.html")]
    assert archives
    assert all(urls[u].callback == spider.parse_index for u in archives)
    assert (
        urls[f"{BASE}/press/release/202305_index.html"].headers["If-None-Match"]
        == b'"v1"'
    )
    details = [u for u in urls if not u.endswith("_index.html")]
    assert details
    assert all(urls[u].callback == spider.parse_detail for u in details)
    assert all(urls[u].meta["section"] == "press_releases" for u in urls)


def test_archives_before_since_are_not_followed(spider):
    spider.since = (2023, 1)
    _, requests = _split(
        list(spider.parse_index(_response("/press/release/index.html")))
    )
    months = [r.url for r in requests if r.url.endswith("_index.html")]
    assert months
    assert all(u.rsplit("/", 1)[1] >= "202301" for u in months)


def test_not_modified_index_is_stored_but_not_parsed(spider):
    results = list(
        spider.parse_index(
            _response(
                "/press/kaiken/index.html", status=304, section="press_conferences"
            )
        )
    )
    items, requests = _split(results)
    assert requests == []
    assert items[0].status == 304


def test_kaiken_index_yields_its_transcripts(spider):
    _, requests = _split(
        list(
            spider.parse_index(
                _response("/press/kaiken/index.html", section="press_conferences")
            )
        )
    )
    assert {r.url.rsplit("/", 1)[1] for r in requests} >= {
        "kaikenite_000001_00118.html",
        "kaiken24e_000136.html",
    }
    assert all("#" not in r.url for r in requests)


def test_challenge_page_is_recorded_blocked_without_body_or_links(spider):
    body = b"<html><head><title>Just a moment...</title></head><body></body></html>"
    response = _response(
        "/press/release/index.html", status=200, body=body, meta={"challenge": True}
    )
    items, requests = _split(list(spider.parse_index(response)))
    assert requests == []
    (item,) = items
    assert item.status == 403
    assert item.body is None
    assert item.problem is FetchProblem.CHALLENGE
    assert item.is_blocked


def test_refused_redirect_is_recorded_as_a_failure(spider):
    response = _response(
        "/na/na1/us/index.html",
        status=302,
        section="japan_us",
        meta={"refused_redirect": "http://elsewhere.invalid/"},
    )
    (item,) = list(spider.parse_index(response))
    assert item.problem is FetchProblem.OFF_HOST_REDIRECT
    assert item.is_failed
    assert index_result(item) == "failed"


def test_detail_response_keeps_body_and_validators(spider):
    path = "/na/na1/us/page4e_001274.html"
    body = fixture_path("site" + path).read_bytes()
    request = Request(BASE + path, meta={"section": None, "role": "detail"})
    response = HtmlResponse(
        BASE + path,
        body=body,
        request=request,
        headers={
            "ETag": '"abc"',
            "Last-Modified": "Mon, 23 Nov 2026 10:00:00 GMT",
            "Content-Type": "text/html; charset=UTF-8",
        },
    )
    (item,) = list(spider.parse_detail(response))
    assert item.role is PageRole.DETAIL
    assert item.body == body
    assert (item.etag, item.charset) == ('"abc"', "utf-8")
    assert item.last_modified == "Mon, 23 Nov 2026 10:00:00 GMT"
    assert item.fetched_at == NOW


def test_detail_404_is_passed_on_for_missing_bookkeeping(spider):
    path = "/press/release/press4e_003170.html"
    request = Request(BASE + path, meta={"section": None, "role": "detail"})
    (item,) = list(
        spider.parse_detail(
            HtmlResponse(BASE + path, status=404, body=b"", request=request)
        )
    )
    assert item.status == 404
    assert not item.is_failed
    assert not item.is_blocked


def test_errback_records_robots_refusal_and_timeouts(spider):
    request = Request(
        f"{BASE}/press/kaiken/index.html",
        meta={"section": "press_conferences", "role": "index"},
    )
    failure = Failure(RobotsDisallowedError("Forbidden by robots.txt"))
    failure.request = request  # type: ignore[attr-defined]
    (item,) = list(spider.on_error(failure))
    assert (item.status, item.problem) == (0, FetchProblem.ROBOTS_DISALLOWED)
    assert index_result(item) == "disallowed"
    timeout = Failure(TwistedTimeoutError("took too long"))
    timeout.request = request  # type: ignore[attr-defined]
    (item,) = list(spider.on_error(timeout))
    assert item.problem is FetchProblem.TIMEOUT
    assert index_result(item) == "failed"


def test_start_requests_carry_conditional_headers(spider):
    url = f"{BASE}/press/release/202305_index.html"
    request = spider._index_request(url, "press_releases")
    assert request.headers["If-None-Match"] == b'"v1"'
    assert b"If-Modified-Since" not in request.headers
    assert request.errback == spider.on_error


@pytest.mark.parametrize(
    ("status", "header", "body", "expected"),
    [
        (403, b"challenge", b"", True),
        (503, None, b"<title>Just a moment...</title>", True),
        (200, None, b"<p>Checking your browser before accessing</p>", True),
        (200, None, b"<p>Just a moment, said the minister.</p>", False),
        (404, None, b"<title>Just a moment...</title>", False),
    ],
)
def test_challenge_detection(status, header, body, expected):
    assert is_challenge(status, header, body) is expected


@pytest.mark.parametrize(
    ("results", "outcome"),
    [
        (["ok", "missing"], "ok"),  # statements: one list page answering is enough
        (["blocked", "blocked"], "blocked"),
        (["blocked", "missing"], "blocked"),
        (["ok", "failed"], "failing"),
        (["missing"], "failing"),
        (["disallowed"], "failing"),
        ([], "failing"),
    ],
)
def test_section_outcome(results, outcome):
    assert section_outcome([IndexResult(r) for r in results])[0] == outcome
