"""reextract: a changed extractor gives new, silent versions on the same snapshots."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

from sqlalchemy import select

import crawler.extract.extractor
from crawler.extract.current import current_extractor
from monitor.cli.main import main
from monitor.replay.reextract import reextract
from storage.db import open_database, unit_of_work
from storage.ingest import Extracted, Extractor
from storage.models import Document, Version
from storage.snapshots import FetchRecord
from tests.integration.ingest_helpers import ingest_one
from tests.integration.replay_helpers import (
    FIXTURES,
    NOW,
    URL_A,
    URL_B,
    changes_of,
    fresh_sqlite,
    history,
    point_cli_at,
    replay_paths,
    row_counts,
    settings_for,
    upgraded_extractor,
)

OLD_EXTRACTOR = Extractor("1.0", current_extractor().extract)


def _write_lock_is_free(url: str) -> bool:
    """Whether another connection can take the SQLite write lock at once."""
    other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.rollback()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def _versions(url: str, page: str) -> list[Version]:
    factory = open_database(url)
    with unit_of_work(factory) as session:
        stmt = (
            select(Version)
            .join(Document, Document.id == Version.document_id)
            .where(Document.url == page)
            .order_by(Version.seq)
        )
        return list(session.scalars(stmt))


def test_changed_topic_table_gives_new_versions_and_zero_alerts(tmp_path):
    url = fresh_sqlite(tmp_path)
    replay_paths(url, "captures.warc.gz", "httpcache")  # A has China in v3; B none
    factory = open_database(url)
    report = reextract(factory, settings_for(url), NOW, extractor=upgraded_extractor())
    assert (report.pages, report.changed, report.failed) == (2, 1, 0)
    versions = _versions(url, URL_A)
    assert len(versions) == 4
    newest, previous = versions[-1], versions[-2]
    assert newest.content["topics"] == ["PRC", "Indo-Pacific"]
    assert newest.extractor_version == "test-upgrade"
    assert newest.snapshot_id == previous.snapshot_id
    assert changes_of(url)[-1] == (URL_A, "updated", True)
    assert row_counts(url)["alerts"] == 0


def test_reextract_with_an_unchanged_extractor_adds_nothing(tmp_path):
    url = fresh_sqlite(tmp_path)
    replay_paths(url, "captures.warc.gz")
    before = row_counts(url)
    report = reextract(open_database(url), settings_for(url), NOW)
    assert (report.pages, report.changed, report.failed) == (1, 0, 0)
    assert row_counts(url) == before


def test_reextract_leaves_real_changes_awaiting_detection_announced(tmp_path):
    # A crawl stored a new document but stopped before detect: reextract must not
    # silence that real change while it keeps its own extractor-only change quiet.
    url = fresh_sqlite(tmp_path)
    replay_paths(url, "captures.warc.gz")
    factory = open_database(url)
    with unit_of_work(factory) as session:
        body = (FIXTURES / "html" / "b.html").read_bytes()
        ingest_one(session, FetchRecord(URL_B, NOW, 200, body=body), OLD_EXTRACTOR)
    report = reextract(factory, settings_for(url), NOW, extractor=upgraded_extractor())
    assert report.changed == 1
    kinds = changes_of(url)[3:]
    assert sorted(kinds) == [(URL_A, "updated", True), (URL_B, "new", False)]
    assert row_counts(url)["alerts"] == 1


def test_reextract_dry_run_prints_field_differences_and_writes_nothing(
    tmp_path, monkeypatch, capsys
):
    # Stored by a later extractor than the one installed: the command's, the
    # current one, would change what is stored.
    url = fresh_sqlite(tmp_path)
    replay_paths(url, "captures.warc.gz", extractor=upgraded_extractor())
    before = row_counts(url)
    point_cli_at(monkeypatch, tmp_path, url)
    code = main(["reextract", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"{URL_A}: would change" in out
    assert re.search(r"PRC", out)
    assert (
        f"re-extracted 1 pages with extractor {current_extractor().version}: "
        "1 would change, 0 failed" in out
    )
    assert row_counts(url) == before
    assert len(history(url)[URL_A]) == 3


def test_an_extraction_that_would_lose_fields_keeps_the_stored_version(tmp_path):
    """The stored version came from a page the current extractor reads as the site's
    frame only (as after an upgrade that regressed): no version, the page failed."""
    from datetime import timedelta

    from storage.regression import SUSPECT_PREFIX
    from tests.conftest import fixture_path
    from tests.redesign import redesigned

    url = fresh_sqlite(tmp_path)
    page_url = "https://www.mofa.go.jp/na/na1/us/page4e_001274.html"
    page = fixture_path("site/na/na1/us/page4e_001274.html").read_text("utf-8")
    good = crawler.extract.extractor.extract(page, page_url).to_dict()
    factory = open_database(url)
    with unit_of_work(factory) as session:
        fetch = FetchRecord(
            url=page_url,
            fetched_at=NOW - timedelta(days=1),
            status=200,
            body=redesigned(page).encode(),
            charset="utf-8",
        )
        # what an earlier extractor read
        earlier = Extractor("0.9", lambda body, u, cs: good)
        result = ingest_one(session, fetch, earlier)
        assert result.record is not None
        assert result.record.is_new_version
    report = reextract(factory, settings_for(url), NOW)

    assert (report.pages, report.changed, report.failed) == (1, 0, 1)
    (item,) = report.items
    assert item.error is not None
    assert item.error.startswith(SUSPECT_PREFIX)
    assert [v.seq for v in _versions(url, page_url)] == [1]


def test_extraction_runs_with_no_transaction_holding_the_write_lock(tmp_path):
    url = fresh_sqlite(tmp_path)
    replay_paths(url, "captures.warc.gz", "httpcache")
    upgraded = upgraded_extractor()
    lock_free: list[bool] = []

    def extract(body: bytes, page: str, charset: str | None) -> Extracted:
        lock_free.append(_write_lock_is_free(url))
        found = upgraded.extract(body, page, charset)
        assert isinstance(found, Extracted)
        return found

    extractor = Extractor(upgraded.version, extract)
    report = reextract(open_database(url), settings_for(url), NOW, extractor=extractor)
    assert lock_free == [True, True]
    assert (report.pages, report.changed, report.failed) == (2, 1, 0)
    assert len(_versions(url, URL_A)) == 4


def test_a_version_stored_during_extraction_is_not_overwritten(tmp_path):
    # A crawl stores a newer version of A while reextract is extracting the old
    # body: that newer version stays the newest, with nothing put on top of it.
    url = fresh_sqlite(tmp_path)
    replay_paths(url, "captures.warc.gz")
    factory = open_database(url)
    upgraded = upgraded_extractor()

    def extract(body: bytes, page: str, charset: str | None) -> Extracted:
        found = upgraded.extract(body, page, charset)
        assert isinstance(found, Extracted)
        retitled = {**found.document, "title": "Later"}
        later = Extractor("later", lambda b, u, cs: retitled)
        with unit_of_work(factory) as session:
            fetch = FetchRecord(page, NOW + timedelta(minutes=1), 200, body=body)
            ingest_one(session, fetch, later)
        return found

    extractor = Extractor(upgraded.version, extract)
    report = reextract(factory, settings_for(url), NOW, extractor=extractor)
    assert (report.pages, report.changed, report.failed) == (1, 0, 0)
    versions = _versions(url, URL_A)
    assert len(versions) == 4  # three replayed, then the crawl's
    assert (versions[-1].extractor_version, versions[-1].content["title"]) == (
        "later",
        "Later",
    )
