"""Captures made by the tools users already have, replayed against a live crawl.

wget --mirror (from the OS packages), a plain Scrapy spider with its HTTP cache
(filesystem and DBM storage) and a script recording with warcio's capture_http
capture the simulated site; replaying each capture into an empty database gives the
documents a live crawl of the same site stores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.e2e.cli_helpers import Installation
from tests.integration.replay_helpers import contents

pytestmark = pytest.mark.e2e

SPIDER = Path(__file__).resolve().parents[1] / "capture_spider.py"
START_PATHS = (
    "/press/release/index.html",
    "/press/kaiken/index.html",
    "/press/statement/fm.html",
    "/na/na1/us/index.html",
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NON_PAGES = {
    "/press/release/logo.png": PNG,
    "/press/release/site.css": b"body { margin: 0 }\n",
    "/press/release/notice.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
}


def _add_non_pages(site) -> None:
    """An image, a style sheet and a PDF linked from the press-release list."""
    for path, data in NON_PAGES.items():
        site.write_page(path, data)
    links = (
        '<link rel="stylesheet" href="site.css"><img src="logo.png" alt="">'
        '<a href="notice.pdf">Notice (PDF)</a></body>'
    )
    site.edit_page("/press/release/index.html", "</body>", links)


def _installation(site, folder: Path) -> Installation:
    folder.mkdir()
    return Installation(site, folder)


def _live_contents(site, tmp_path: Path) -> dict[str, list[dict[str, object]]]:
    live = _installation(site, tmp_path / "live")
    done = live.run("run")
    assert done.returncode == 0, done.stderr[-2000:]
    found = contents(live.db_url)
    assert len(found) > 10
    return found


def _replayed_contents(site, tmp_path: Path, source: Path):
    offline = _installation(site, tmp_path / "offline")
    done = offline.run("replay", str(source))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "0 skipped" in done.stdout
    return done.stdout, contents(offline.db_url)


def _ignored(stdout: str) -> int:
    """The count of the replay summary's "N non-page responses ignored"."""
    summary = stdout.strip().splitlines()[-1]
    return int(summary.split(" non-page responses ignored")[0].rsplit(" ", 1)[-1])


def _require_wget() -> None:
    if shutil.which("wget") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("wget is missing in CI (.ci/run installs it)")
        pytest.skip("wget is not installed (apt-get install wget)")


def test_wget_mirror_folder_replays_into_the_documents_of_a_live_crawl(site, tmp_path):
    _require_wget()
    _add_non_pages(site)
    expected = _live_contents(site, tmp_path)
    mirror = tmp_path / "mirror"
    urls = [site.url(path) for path in START_PATHS]
    done = subprocess.run(
        ["wget", "--mirror", "--no-verbose", "--directory-prefix", str(mirror), *urls],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 8), done.stderr[-2000:]  # 8: some link answered 404
    host_folder = mirror / site.base_url.split("://", 1)[1]
    assert (host_folder / "robots.txt").is_file()
    assert (host_folder / "press/release/logo.png").is_file()

    stdout, replayed = _replayed_contents(site, tmp_path, mirror)

    assert replayed == expected
    assert _ignored(stdout) == 1 + len(NON_PAGES)  # robots.txt, image, CSS, PDF


@pytest.mark.parametrize("storage", ["FilesystemCacheStorage", "DbmCacheStorage"])
def test_plain_scrapy_http_cache_replays_into_the_documents_of_a_live_crawl(
    site, tmp_path, storage
):
    _add_non_pages(site)
    expected = _live_contents(site, tmp_path)
    cache = tmp_path / "httpcache"
    settings = {
        "HTTPCACHE_ENABLED": "True",
        "HTTPCACHE_DIR": str(cache),
        "HTTPCACHE_STORAGE": f"scrapy.extensions.httpcache.{storage}",
        "ROBOTSTXT_OBEY": "True",
        "DOWNLOAD_DELAY": "0",
        "LOG_LEVEL": "WARNING",
    }
    options = [arg for k, v in settings.items() for arg in ("-s", f"{k}={v}")]
    spider = [sys.executable, "-m", "scrapy", "runspider", str(SPIDER)]
    done = subprocess.run(
        [*spider, "-a", f"base={site.base_url}", *options],
        cwd=tmp_path,  # outside any Scrapy project: the spider's settings only
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    if storage == "DbmCacheStorage":
        assert not list(cache.rglob("pickled_meta"))
        assert list(cache.glob("site.db*"))

    stdout, replayed = _replayed_contents(site, tmp_path, cache)

    assert replayed == expected
    assert _ignored(stdout) >= 1  # robots.txt at least


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _capture_with_warcio(site, warc: Path) -> None:
    """What a user's own script does: fetch the lists and what they link to."""
    from warcio.capture_http import capture_http

    host = urlsplit(site.base_url).netloc
    queue = [site.url("/robots.txt")] + [site.url(path) for path in START_PATHS]
    seen = set(queue)
    with capture_http(str(warc)):
        while queue:
            url = queue.pop(0)
            try:
                with urllib.request.urlopen(url, timeout=10) as answer:
                    body = answer.read().decode("utf-8", "replace")
            except urllib.error.HTTPError:
                continue  # recorded all the same
            links = _Links()
            links.feed(body)
            for href in links.hrefs:
                target = urljoin(url, href).split("#", 1)[0]
                parts = urlsplit(target)
                if (
                    parts.netloc == host
                    and parts.path.startswith(("/press/", "/na/na1/us/"))
                    and target not in seen
                ):
                    seen.add(target)
                    queue.append(target)


def test_warcio_capture_replays_into_the_documents_of_a_live_crawl(site, tmp_path):
    expected = _live_contents(site, tmp_path)
    warc = tmp_path / "capture.warc.gz"
    _capture_with_warcio(site, warc)

    stdout, replayed = _replayed_contents(site, tmp_path, warc)

    assert replayed == expected
    assert _ignored(stdout) == 1  # robots.txt
