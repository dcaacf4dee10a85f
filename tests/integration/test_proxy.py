"""The crawl through a forward proxy on loopback: every request goes through it, with
the credentials of the proxy URL, and the password is never logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db import upgrade_database
from tests.integration.crawl_helpers import World
from tests.proxy import ForwardProxy
from tests.sitesim import SiteSim

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-proxy-pass"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'crawl.db'}"
    upgrade_database(url)
    site = SiteSim.from_fixture(tmp_path / "site").start()
    try:
        yield World(site, url)
    finally:
        site.stop()


def test_every_request_of_the_crawl_goes_through_the_proxy(
    world: World, forward_proxy: ForwardProxy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the crawl logs as much as its parent
    forward_proxy.require("watcher", PASSWORD)
    result = world.crawl(proxy_url=forward_proxy.url_with("watcher", PASSWORD))

    assert result.ok, result.tail
    assert result.stats.new_documents >= 10
    proxied = forward_proxy.paths()
    assert "/robots.txt" in proxied
    assert "/press/release/index.html" in proxied
    assert all(r.authorized for r in forward_proxy.requests)
    agent = world.settings().site.user_agent
    assert {r.user_agent for r in forward_proxy.requests} == {agent}
    # The site saw exactly what the proxy relayed: nothing went around it.
    assert sorted(r.path for r in world.site.requests) == sorted(proxied)
    assert PASSWORD not in result.tail
    assert "watcher" not in result.tail
    assert f"through proxy http://***@127.0.0.1:{forward_proxy.port}" in caplog.text
    assert "crawl.scrapy." in caplog.text  # the crawl's own log came back too
    assert PASSWORD not in caplog.text
    assert "watcher" not in caplog.text


def test_without_a_proxy_the_crawl_connects_directly(
    world: World, forward_proxy: ForwardProxy
) -> None:
    result = world.crawl()

    assert result.ok, result.tail
    assert forward_proxy.requests == []
    assert any(r.path == "/robots.txt" for r in world.site.requests)


def test_a_proxy_refusing_the_credentials_blocks_nothing_silently(
    world: World, forward_proxy: ForwardProxy
) -> None:
    forward_proxy.require("watcher", PASSWORD)
    result = world.crawl(proxy_url=forward_proxy.url_with("watcher", "wrong"))

    assert forward_proxy.paths() == ["/robots.txt"]  # unread robots.txt: nothing more
    assert not any(r.authorized for r in forward_proxy.requests)
    assert set(result.stats.sections.values()) == {"failing"}
    assert world.site.requests == []
    assert result.stats.new_documents == 0
    assert "wrong" not in result.tail
