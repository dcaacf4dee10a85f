"""The site serves every page with its classes and ids renamed, then as before.

The content is the same, so no version, no change and no alert; the pages read by the
structural fallback raise one layout-drift condition, which stays through the 304s
that follow and ends once the pages are back on the landmarks. Each snapshot records
the path its page took.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crawler.contract import CrawlStats
from monitor.detect.changes import detect_changes
from storage.db import opened_database
from storage.models import Change, Snapshot
from storage.vocabulary import ExtractionPath
from tests.integration.crawl_helpers import (
    World,
    crawl_detect_ops,
)

pytestmark = pytest.mark.e2e

_NAMED = re.compile(r'\b(class|id)="([^"]*)"')
LANDMARKS, STRUCTURE = ExtractionPath.LANDMARKS, ExtractionPath.STRUCTURE


def renamed(page: str) -> str:
    """`page` with every class and id renamed: no landmark the extractor knows."""
    return _NAMED.sub(
        lambda m: f'{m[1]}="{" ".join("v2-" + name for name in m[2].split())}"', page
    )


def _cycle(world: World) -> tuple[CrawlStats, list[tuple[str, str]], Counter[str]]:
    """One crawl, detect and ops as a cycle runs them: the crawl's statistics, the
    new ops events, and the run's detail snapshots by extraction path."""
    cycle = crawl_detect_ops(world)
    with world.session() as session:
        paths = session.scalars(
            select(Snapshot.extraction_path).where(Snapshot.run_id == cycle.run_id)
        )
        return cycle.stats, cycle.events, Counter(str(p) for p in paths)


def _changes(world: World) -> int:
    with world.session() as session:
        return len(session.scalars(select(Change)).all())


def test_pages_on_the_fallback_raise_one_drift_and_no_version(world: World) -> None:
    pages = sorted(world.documents())
    assert len(pages) >= 10
    before = {path: len(v) for path, v in world.versions().items()}
    with opened_database(world.database_url) as factory:
        detect_changes(factory, world.settings(), datetime.now(UTC), silent=True)
    changes_before = _changes(world)
    originals = {path: world.site.read_page(path) for path in pages}

    # Today's template: every page read through the landmarks, nothing to say.
    stats, events, paths = _cycle(world)
    assert events == []
    assert paths[STRUCTURE] == 0
    assert paths[LANDMARKS] == stats.new_versions + stats.unchanged > 0

    for path, page in originals.items():
        world.site.write_page(path, renamed(page))
    stats, events, paths = _cycle(world)
    assert events == [("layout_drift", "started")]
    assert stats.new_versions == 0
    assert paths[LANDMARKS] == 0
    # Pages the fallback reads give the Document already stored.
    assert paths[STRUCTURE] == stats.unchanged > stats.extract_errors
    assert {p: len(v) for p, v in world.versions().items()} == before
    assert _changes(world) == changes_before

    # The renamed pages answer 304: still on the fallback, the drift stands.
    stats, events, paths = _cycle(world)
    assert stats.not_modified >= len(pages) - 1
    assert events == []
    assert paths[STRUCTURE] > paths[LANDMARKS] == 0

    # Back on today's template: the drift ends, and nothing is announced. (Pages
    # the fallback could not read answer 304 to the content they had before.)
    for path, page in originals.items():
        world.site.write_page(path, page)
    stats, events, paths = _cycle(world)
    assert events == [("layout_drift", "ended")]
    assert stats.new_versions == 0
    assert paths[STRUCTURE] == 0
    assert paths[LANDMARKS] >= len(pages) - 1
    assert {p: len(v) for p, v in world.versions().items()} == before
    assert _changes(world) == changes_before
