"""crawler.extensions.warc.WarcWriterExtension: records that replay reads back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.settings import Settings

from crawler.extensions.warc import WarcWriterExtension
from monitor.replay.sources import BodyReader, Capture, read_warc
from tests.run_configs import RUN_SETTING, run_config

PAGE = b"<!DOCTYPE html><html><body><h1>Title</h1><p>Text.</p></body></html>"
WHEN = datetime(2026, 10, 1, 3, 4, 5, 678901, tzinfo=UTC)


class _Crawler:
    def __init__(self, warc_path: str | None, now: datetime | None = None) -> None:
        run = run_config(warc_path=warc_path, now=now)
        self.settings = Settings({RUN_SETTING: run})
        self.signals = _Signals()


class _Signals:
    def __init__(self) -> None:
        self.connected: list[object] = []

    def connect(self, receiver, signal) -> None:
        self.connected.append((receiver, signal))


def test_extension_is_off_without_a_warc_path():
    with pytest.raises(NotConfigured):
        WarcWriterExtension.from_crawler(_Crawler(None))  # type: ignore[arg-type]


def test_written_records_replay_with_time_status_role_and_requested_url(tmp_path):
    path = tmp_path / "out.warc.gz"
    extension = WarcWriterExtension.from_crawler(_Crawler(str(path)))  # type: ignore[arg-type]
    request = Request(
        "https://www.mofa.go.jp/press/release/pressite_000001_00001.html",
        meta={"role": "detail", "redirect_urls": ["https://www.mofa.go.jp/old.html"]},
    )
    response = HtmlResponse(
        request.url,
        status=200,
        body=PAGE,
        headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"abc"',
                 "Content-Encoding": "gzip"},
        request=request,
    )  # fmt: skip
    extension.write(response, request, WHEN)
    robots = Request("https://www.mofa.go.jp/robots.txt")
    extension.response_received(
        TextResponse(robots.url, body=b"User-agent: *", request=robots), robots
    )
    extension.spider_closed()
    captures = [c for c in read_warc(path) if isinstance(c, Capture)]
    assert len(captures) == 1  # robots.txt is never recorded
    with BodyReader() as reader:
        capture = reader.load(captures[0])
    assert capture.url == "https://www.mofa.go.jp/old.html"
    assert capture.final_url == request.url
    assert capture.fetched_at == WHEN
    assert (capture.status, capture.body, capture.role) == (200, PAGE, "detail")
    names = {name.lower() for name, _ in capture.headers}
    assert "etag" in names
    assert "content-encoding" not in names  # the body is stored decoded


def test_warc_date_follows_the_crawl_clock_and_is_shared_with_the_spider(tmp_path):
    path = tmp_path / "out.warc.gz"
    crawler = _Crawler(str(path), now=WHEN)
    extension = WarcWriterExtension.from_crawler(crawler)  # type: ignore[arg-type]
    request = Request("https://www.mofa.go.jp/press/release/index.html")
    response = HtmlResponse(request.url, body=PAGE, request=request)
    extension.response_received(response, request)
    extension.spider_closed()
    assert request.meta["fetched_at"] == WHEN
    captures = [c for c in read_warc(path) if isinstance(c, Capture)]
    assert [c.fetched_at for c in captures] == [WHEN]
