"""The site serves a redesign the extractor cannot read: no version is stored nor
announced, layout drift starts, stays through the 304s that follow, and ends only when
the pages extract well again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crawler.contract import CrawlStats
from monitor.detect.changes import detect_changes
from storage.db import opened_database
from storage.models import Change, Snapshot
from storage.regression import SUSPECT_PREFIX
from tests.integration.crawl_helpers import (
    World,
    crawl_detect_ops,
)
from tests.redesign import redesigned

pytestmark = pytest.mark.e2e


def _cycle(world: World) -> tuple[CrawlStats, list[tuple[str, str]]]:
    """One crawl, then detect and ops as a cycle runs them; the new ops events."""
    cycle = crawl_detect_ops(world)
    return cycle.stats, cycle.events


def _detail_pages(world: World) -> list[str]:
    return sorted(world.documents())


def test_a_redesign_makes_no_version_and_drift_lasts_until_pages_read_again(
    world: World,
) -> None:
    pages = _detail_pages(world)
    assert len(pages) >= 10
    before = {path: len(v) for path, v in world.versions().items()}
    with opened_database(world.database_url) as factory:
        detect_changes(factory, world.settings(), datetime.now(UTC), silent=True)
    with world.session() as session:
        changes_before = len(session.scalars(select(Change)).all())
    originals = {path: world.site.read_page(path) for path in pages}
    for path, page in originals.items():
        world.site.write_page(path, redesigned(page))

    stats, events = _cycle(world)
    assert stats.new_versions == 0
    assert stats.extract_errors >= len(pages) - 1  # a placeholder has nothing to lose
    assert ("layout_drift", "started") in events
    assert {p: len(v) for p, v in world.versions().items()} == before
    with world.session() as session:
        assert len(session.scalars(select(Change)).all()) == changes_before
        errors = session.scalars(
            select(Snapshot.extract_error).where(Snapshot.extract_error.is_not(None))
        ).all()
    assert sum((e or "").startswith(SUSPECT_PREFIX) for e in errors) >= len(pages) - 1

    # The next cycle: a suspect answer lends no validators, so the broken pages are
    # fetched again in full, and are still no recovery.
    stats, events = _cycle(world)
    assert stats.not_modified <= stats.index_pages + 1
    assert stats.extract_errors >= len(pages) - 1
    assert events == []

    # The pages read well again: drift ends, and nothing is announced.
    for path, page in originals.items():
        world.site.write_page(path, page)
    stats, events = _cycle(world)
    assert stats.extract_errors == 0
    assert stats.new_versions == 0
    assert events == [("layout_drift", "ended")]
    assert {p: len(v) for p, v in world.versions().items()} == before
    with world.session() as session:
        assert len(session.scalars(select(Change)).all()) == changes_before
