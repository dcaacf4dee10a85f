"""Replay: WARC, HTTP-cache and HTML-folder sources through ingest, detect, dispatch."""

from __future__ import annotations

from typing import Any

from crawler.extract.current import current_extractor
from storage.ingest import Extractor
from tests.integration.replay_helpers import (
    URL_A,
    URL_B,
    RecordingNotifier,
    changes_of,
    fresh_sqlite,
    history,
    replay_paths,
    row_counts,
)


def test_three_captures_give_three_versions_in_capture_time_order(tmp_path):
    url = fresh_sqlite(tmp_path)
    report = replay_paths(url, "captures.warc.gz")
    assert report.counts == {"new_version": 3}
    assert [line.seq for line in report.lines] == [1, 2, 3]
    assert [line.fetched_at.day for line in report.lines] == [1, 2, 3]
    assert list(history(url)) == [URL_A]
    assert len(set(history(url)[URL_A])) == 3
    assert report.ignored == 1  # robots.txt is not a page


def test_replay_with_alerts_announces_one_new_and_two_updates_in_order(tmp_path):
    url = fresh_sqlite(tmp_path)
    console = RecordingNotifier()
    report = replay_paths(
        url, "captures.warc.gz", alerts=True, notifiers={"console": console}
    )
    assert changes_of(url) == [
        (URL_A, "new", False),
        (URL_A, "updated", False),
        (URL_A, "updated", False),
    ]
    assert report.sent == 3
    subjects = [m.subject for m in console.sent]
    assert len(subjects) == 3
    assert "Telephone Talk" in subjects[0]


def test_replay_without_alerts_records_changes_silently_and_queues_nothing(tmp_path):
    url = fresh_sqlite(tmp_path)
    report = replay_paths(url, "captures.warc.gz")
    assert [silent for _, _, silent in changes_of(url)] == [True, True, True]
    assert report.alerts_queued == 0
    assert row_counts(url)["alerts"] == 0


def test_replaying_the_same_source_twice_adds_nothing(tmp_path):
    url = fresh_sqlite(tmp_path)
    replay_paths(url, "captures.warc.gz", "html")
    before = row_counts(url)
    again = replay_paths(url, "captures.warc.gz", "html")
    assert row_counts(url) == before
    assert set(again.counts) == {"already_stored"}


def test_httpcache_folder_replays_to_the_same_content_as_the_warc(tmp_path):
    from_warc = fresh_sqlite(tmp_path, "warc.db")
    from_cache = fresh_sqlite(tmp_path, "cache.db")
    replay_paths(from_warc, "captures.warc.gz")
    report = replay_paths(from_cache, "httpcache")
    assert report.problems == ()
    cached = history(from_cache)
    assert set(cached) == {URL_A, URL_B}
    assert cached[URL_A] == [history(from_warc)[URL_A][-1]]  # the cache keeps the last


def test_html_folder_with_urls_csv_replays_like_the_warc(tmp_path):
    from_warc = fresh_sqlite(tmp_path, "warc.db")
    from_html = fresh_sqlite(tmp_path, "html.db")
    replay_paths(from_warc, "captures.warc.gz")
    report = replay_paths(from_html, "html")
    assert report.problems == ()
    assert history(from_html)[URL_A] == history(from_warc)[URL_A]
    assert len(history(from_html)[URL_B]) == 1


def test_html_folder_without_manifest_takes_urls_from_paths(tmp_path):
    url = fresh_sqlite(tmp_path)
    replay_paths(url, "html_paths")
    assert list(history(url)) == [URL_B]  # {base_url}/press/release/...09002.html


def test_an_extractor_crash_on_one_page_is_recorded_and_the_rest_replayed(tmp_path):
    real = current_extractor()

    def crash_on_b(body: bytes, url: str, charset: str | None) -> Any:
        if url == URL_B:
            raise TypeError("unexpected markup")
        return real.extract(body, url, charset)

    url = fresh_sqlite(tmp_path)
    extractor = Extractor(real.version, crash_on_b)
    report = replay_paths(url, "html", extractor=extractor)
    assert report.counts == {"new_version": 3, "extract_failed": 1}
    failed = [line for line in report.lines if line.outcome == "extract_failed"]
    assert failed[0].url == URL_B
    assert "TypeError: unexpected markup" in (failed[0].error or "")
    assert list(history(url)) == [URL_A]


def test_captures_older_than_stored_fetches_are_skipped_not_made_current(tmp_path):
    url = fresh_sqlite(tmp_path)
    replay_paths(url, "httpcache")  # A's last capture, fetched after the WARC's
    before = history(url)
    report = replay_paths(url, "captures.warc.gz")
    assert report.counts == {"older_than_stored": 3}
    assert history(url) == before
