"""Redirect policy on built responses: off-host refused, loops cut, others followed."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.middlewares.redirect import (
    OffHostRedirectMiddleware,
    OffHostRefreshMiddleware,
)

PAGE = "https://www.mofa.go.jp/press/release/press4e_003170.html"
OTHER = "https://www.mofa.go.jp/na/na1/us/page4e_001274.html"


def _refresh(target: str) -> tuple[Request, HtmlResponse]:
    body = f'<html><head><meta http-equiv="refresh" content="0; url={target}">'
    request = Request(PAGE)
    return request, HtmlResponse(PAGE, body=body.encode(), request=request)


@pytest.mark.parametrize(
    ("target", "meta", "dont_filter"),
    [
        ("http://elsewhere.example/x.html", {"refused_redirect"}, False),
        (PAGE, {"redirect_loop"}, False),
        (OTHER, set(), True),
    ],
    ids=["off-host", "loop", "same-host"],
)
def test_meta_refresh(target, meta, dont_filter):
    middleware = OffHostRefreshMiddleware(get_crawler())
    request, response = _refresh(target)
    middleware.crawler.stats = MemoryStatsCollector(middleware.crawler)
    middleware.process_response(request, response)
    assert meta <= set(request.meta)
    assert bool(request.meta.get("dont_redirect")) is bool(meta)
    assert request.dont_filter is dont_filter


def test_redirect_back_into_its_own_chain_is_a_loop():
    middleware = OffHostRedirectMiddleware(get_crawler())
    middleware.crawler.stats = MemoryStatsCollector(middleware.crawler)
    moved = "https://www.mofa.go.jp/press/release/moved.html"
    request = Request(moved, meta={"redirect_urls": [PAGE]})
    response = Response(moved, status=302, headers={"Location": PAGE})
    middleware.process_response(request, response)
    assert request.meta["redirect_loop"] == PAGE
    assert request.meta["dont_redirect"] is True


def test_same_host_redirect_is_followed_and_never_filtered_as_a_duplicate():
    middleware = OffHostRedirectMiddleware(get_crawler())
    request = Request(PAGE)
    middleware.process_response(
        request, Response(PAGE, status=301, headers={"Location": OTHER})
    )
    assert "dont_redirect" not in request.meta
    assert request.dont_filter is True
