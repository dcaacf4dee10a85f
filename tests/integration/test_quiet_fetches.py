"""Quiet fetches take no room: N quiet cycles leave as many snapshot rows as one, while
every page is still asked for with its validators and answered 304."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from monitor.config import RevisitPolicy
from monitor.runner.cycle import execute_cycle
from storage.models import Snapshot, Version
from storage.quiet import prune_quiet_fetches
from storage.snapshots import FetchRecord, store_snapshot, validators_for
from tests.factories import T0, make_document, make_version
from tests.integration.crawl_helpers import World

pytestmark = pytest.mark.e2e


def _rows(world: World) -> tuple[int, int]:
    with world.session() as session:
        snapshots = session.scalar(select(func.count()).select_from(Snapshot))
        versions = session.scalar(select(func.count()).select_from(Version))
    return int(snapshots or 0), int(versions or 0)


def test_quiet_cycles_add_no_snapshot_rows(world):
    settings = world.settings(revisit=RevisitPolicy(every_cycle_days=36500))
    known = len(world.documents())
    counts = []
    for _ in range(3):
        world.site.clear_requests()
        report = execute_cycle(settings, lambda: datetime.now(UTC))
        assert report.exit_code == 0, report.lines
        answered = [r.status for r in world.site.requests if r.path.endswith(".html")]
        assert answered.count(304) >= known  # every document asked again, unchanged
        counts.append(_rows(world))
    assert counts[0] == counts[1] == counts[2]
    with world.session() as session:
        urls = list(session.scalars(select(Snapshot.url).distinct()))
        validators = validators_for(session, urls)
    assert len(validators) >= known  # each page still answers 304 next time


def _fetch(
    url: str, minutes: int, status: int, body: bytes | None = None
) -> FetchRecord:
    return FetchRecord(
        url=url,
        fetched_at=T0 + timedelta(minutes=minutes),
        status=status,
        body=body,
        etag=f'"e{minutes}"',
    )


def test_superseded_quiet_fetches_go_and_versioned_and_newest_stay(session_factory):
    document = make_document(1)
    url, other = document["url"], make_document(2)["url"]
    with session_factory.begin() as session:
        first = store_snapshot(session, _fetch(url, 0, 200, b"<p>one</p>"), run_id=None)
        make_version(session, document, snapshot=first)
        quiet = [store_snapshot(session, _fetch(url, m, 304)) for m in (1, 2)]
        again = store_snapshot(session, _fetch(url, 3, 200, b"<p>one</p>"))
        untouched = store_snapshot(session, _fetch(other, 4, 304))
        store_snapshot(session, _fetch(other, 5, 500))
        newest = store_snapshot(session, _fetch(url, 6, 304))
        assert prune_quiet_fetches(session) == 3
    with session_factory() as session:
        left = set(session.scalars(select(Snapshot.id)))
        assert quiet[0].id not in left
        assert quiet[1].id not in left
        assert again.id not in left
        assert {first.id, newest.id, untouched.id} <= left  # a 500 supersedes nothing
        assert validators_for(session, [url]) == {url: ('"e6"', None)}
