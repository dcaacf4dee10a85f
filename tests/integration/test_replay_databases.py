"""Replay on SQLite and PostgreSQL: history, alerts, idempotence, dry run."""

from __future__ import annotations

from typing import Any

from crawler.extract.current import current_extractor
from monitor.replay.replayer import ReplayReport
from storage.db import upgrade_database
from storage.ingest import Extractor
from tests.integration.replay_helpers import (
    URL_A,
    RecordingNotifier,
    changes_of,
    history,
    replay_paths,
    row_counts,
)


def test_replay_builds_history_with_alerts_once_on_each_database(db_url):
    upgrade_database(db_url)
    console = RecordingNotifier()
    replay_paths(
        db_url, "captures.warc.gz", alerts=True, notifiers={"console": console}
    )
    assert [kind for _, kind, _ in changes_of(db_url)] == ["new", "updated", "updated"]
    assert len(history(db_url)[URL_A]) == 3
    before = row_counts(db_url)
    replay_paths(
        db_url, "captures.warc.gz", alerts=True, notifiers={"console": console}
    )
    assert row_counts(db_url) == before
    assert len(console.sent) == 3  # nothing is sent twice


def test_dry_run_leaves_each_database_unchanged(db_url):
    upgrade_database(db_url)
    replay_paths(db_url, "corrupt.warc.gz")  # A's first capture and C
    before = row_counts(db_url)
    report = replay_paths(db_url, "captures.warc.gz", "html", dry_run=True)
    assert report.dry_run
    assert report.counts["new_version"] >= 3
    assert report.planned  # it says which alerts --alerts would send
    assert row_counts(db_url) == before


def test_captures_stored_by_another_replay_during_extraction_are_skipped(db_url):
    """Extraction runs with no transaction open; what another writer stored in the
    meantime is found again before storing and reported, not stored twice."""
    upgrade_database(db_url)
    real = current_extractor()
    other: list[ReplayReport] = []

    def extract_while_another_replay_runs(*args: Any) -> Any:
        if not other:
            other.append(replay_paths(db_url, "captures.warc.gz"))
        return real.extract(*args)

    extractor = Extractor(real.version, extract_while_another_replay_runs)
    report = replay_paths(db_url, "captures.warc.gz", extractor=extractor)
    assert other[0].counts == {"new_version": 3}
    assert report.counts == {"already_stored": 3}
    assert len(history(db_url)[URL_A]) == 3
    assert row_counts(db_url)["snapshots"] == 3
