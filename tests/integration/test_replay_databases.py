"""Replay on SQLite and PostgreSQL: history, alerts, idempotence, dry run."""

from __future__ import annotations

from storage.db import upgrade_database
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
