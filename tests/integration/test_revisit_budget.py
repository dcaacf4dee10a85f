"""Revisits within a per-cycle budget over real HTTP, in simulated time (RunConfig.now).

Every known document is due every cycle here (EVERY_CYCLE): a sweep of the whole
archive, which the budget spreads over cycles, most overdue first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.crawl_helpers import (
    EVERY_CYCLE,
    World,
)

pytestmark = pytest.mark.e2e

DETAIL = re.compile(r"/(?:page|press|kaiken)[a-z0-9]*_[0-9_]+\.html$")
BUDGET = 4
CYCLE = timedelta(minutes=30)


def _cycle(world: World, now: datetime) -> list[str]:
    """One crawl at `now` with the budget; the detail pages it requested, in order."""
    world.site.clear_requests()
    result = world.crawl(now=now, revisit_budget=BUDGET, **EVERY_CYCLE)
    assert result.ok, result.tail
    return [r.path for r in world.site.requests if DETAIL.search(r.path)]


def test_a_sweep_is_spread_over_cycles_most_overdue_first(world):
    known = set(world.documents())
    assert len(known) > 3 * BUDGET
    start = datetime.now(UTC) + timedelta(hours=1)
    seen: list[str] = []
    cycles = -(-len(known) // BUDGET)
    for k in range(cycles):
        fetched = _cycle(world, start + k * CYCLE)
        assert len(fetched) == BUDGET
        seen += fetched
    # Each document once before any twice: the longest waiting went first, and
    # the sweep starts over with those of the first cycle.
    assert sorted(seen[: len(known)]) == sorted(known)
    assert set(seen[len(known) :]) < set(seen[:BUDGET])


def test_a_new_page_during_a_sweep_is_fetched_in_the_same_cycle(world):
    start = datetime.now(UTC) + timedelta(hours=1)
    _cycle(world, start)
    added = "/press/release/pressite_000001_00997.html"
    world.site.add_page(
        added,
        world.site.read_page("/press/release/press4e_003170.html").replace(
            "Vice-Ministers", "Deputy Ministers"
        ),
        index_path="/press/release/index.html",
        link_text="Japan-U.S. Deputy Ministers' Meeting",
    )
    fetched = _cycle(world, start + CYCLE)
    # Outside the budget: the sweep goes on, and the new page is stored at once.
    assert added in fetched
    assert len(fetched) == BUDGET + 1
    assert len(world.versions()[added]) == 1
