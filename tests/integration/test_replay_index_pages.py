"""Crawl and replay agree on what an index page is (crawler.extract.listing)."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from crawler.contract import ENTRY_PAGES
from crawler.extract.listing import is_index_page
from monitor.replay.replayer import check_sources, collect, replay
from storage.models import Document, Snapshot
from tests.conftest import fixture_path
from tests.integration.replay_helpers import (
    BASE_URL,
    NOW,
    fresh_sqlite,
    session_on,
    settings_for,
)

SAVED = (
    "press/statement/fm.html",
    "press/release/index.html",
    "press/release/202207_index.html",
    "press/release/press4e_003170.html",
)


def _html_folder(folder):
    for rel in SAVED:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixture_path(f"site/{rel}"), folder / rel)


def _http_cache(folder):
    """A Scrapy FilesystemCacheStorage folder holding the same pages."""
    for n, rel in enumerate(SAVED):
        entry = folder / "mofa" / f"{n:02d}" / f"entry{n}"
        entry.mkdir(parents=True)
        meta = {"url": f"{BASE_URL}/{rel}", "status": 200, "timestamp": 1.7e9 + n}
        (entry / "meta").write_text(repr(meta), encoding="utf-8")
        (entry / "response_headers").write_bytes(
            b"Content-Type: text/html; charset=utf-8\r\n"
        )
        shutil.copy(fixture_path(f"site/{rel}"), entry / "response_body")


@pytest.mark.parametrize("make", [_html_folder, _http_cache], ids=["html", "cache"])
def test_replayed_list_pages_are_snapshots_never_documents(tmp_path, make):
    folder = tmp_path / "saved"
    make(folder)
    url = fresh_sqlite(tmp_path)

    collected = collect(check_sources([str(folder)]), BASE_URL)
    replay(settings_for(url), collected, NOW)

    with session_on(url) as session:
        documents = set(session.scalars(select(Document.url)))
        snapshots = set(session.scalars(select(Snapshot.url)))
    assert documents == {f"{BASE_URL}/press/release/press4e_003170.html"}
    assert snapshots == {f"{BASE_URL}/{rel}" for rel in SAVED}


def test_every_page_the_crawl_reads_as_a_list_is_an_index_page():
    for paths in ENTRY_PAGES.values():
        for path in paths:
            assert is_index_page(BASE_URL + path), path
    for path in ("/press/release/202207_index.html", "/press/kaiken/", "/"):
        assert is_index_page(BASE_URL + path), path
    for path in (
        "/press/release/press4e_003170.html",
        "/na/na1/us/page4e_001274.html",
        "/press/kaiken/kaikenite_000001_00118.html",
    ):
        assert not is_index_page(BASE_URL + path), path
