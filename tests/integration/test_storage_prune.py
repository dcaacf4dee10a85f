"""Retention: old snapshot bodies go, every version's snapshot body stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storage.db import unit_of_work
from storage.models import Snapshot, SnapshotBody
from storage.prune import prune_snapshots
from storage.snapshots import load_body
from tests.factories import T0, get_row, make_document, make_snapshot, make_version

URL = make_document()["url"]


def _history(session_factory):
    """Six fetches of one URL: distinct bodies; the 1st and 4th made versions."""
    with unit_of_work(session_factory) as session:
        snaps = []
        for i in range(6):
            snap = make_snapshot(
                session,
                URL,
                body=b"<html>%d</html>" % i,
                fetched_at=T0 + timedelta(days=i),
            )
            snaps.append(snap.id)
            if i in (0, 3):
                make_version(
                    session,
                    make_document(title=f"t{i}"),
                    snapshot=snap,
                    now=T0 + timedelta(days=i),
                )
        make_snapshot(
            session, URL, status=304, body=None, fetched_at=T0 + timedelta(days=7)
        )
        make_snapshot(session, URL + "?other", body=b"<html>0</html>")
    return snaps


def _bodies(session):
    return session.scalar(select(func.count()).select_from(SnapshotBody))


def test_prune_keeps_the_newest_and_every_versioned_snapshot(session_factory):
    snaps = _history(session_factory)
    with unit_of_work(session_factory) as session:
        result = prune_snapshots(session, 2)
    # kept: newest two (4, 5), versioned (0, 3); pruned: 1, 2
    assert (result.snapshots_pruned, result.bodies_deleted) == (2, 2)
    assert result.bytes_freed > 0
    with unit_of_work(session_factory) as session:
        kept = [load_body(session, get_row(session, Snapshot, i)) for i in snaps]
        assert kept == [
            b"<html>0</html>",
            None,
            None,
            b"<html>3</html>",
            b"<html>4</html>",
            b"<html>5</html>",
        ]
        assert _bodies(session) == 4
        # the rows stay, with their status and time
        assert session.scalar(select(func.count()).select_from(Snapshot)) == 8


def test_prune_keeps_a_body_still_linked_from_another_url(session_factory):
    with unit_of_work(session_factory) as session:
        for day in range(3):
            make_snapshot(
                session, URL, body=b"same", fetched_at=T0 + timedelta(days=day)
            )
        make_snapshot(session, URL + "?other", body=b"same")
        make_snapshot(session, URL, body=b"newest", fetched_at=T0 + timedelta(10))
    with unit_of_work(session_factory) as session:
        result = prune_snapshots(session, 1)
        # The two older repeats of "same" were quiet fetches: deleted as rows.
        assert result.quiet_deleted == 2
        assert (result.snapshots_pruned, result.bodies_deleted) == (1, 0)
        assert _bodies(session) == 2


def test_prune_dry_run_counts_and_changes_nothing(session_factory):
    _history(session_factory)
    with unit_of_work(session_factory) as session:
        result = prune_snapshots(session, 2, dry_run=True)
    assert (result.snapshots_pruned, result.bodies_deleted, result.dry_run) == (
        2,
        2,
        True,
    )
    assert "would" in result.summary()
    with unit_of_work(session_factory) as session:
        assert _bodies(session) == 6  # the other URL shares body 0
    with unit_of_work(session_factory) as session:
        assert prune_snapshots(session, 2).snapshots_pruned == 2
    with unit_of_work(session_factory) as session:
        assert prune_snapshots(session, 2).snapshots_pruned == 0


def test_prune_refuses_to_keep_nothing(session_factory):
    with (
        unit_of_work(session_factory) as session,
        pytest.raises(ValueError, match="at least 1"),
    ):
        prune_snapshots(session, 0)
