"""A cycle reads its unchanged (304) index pages again only when the last cycle may
have left listed documents unfetched: a failed page, a deferred one, a cut crawl."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.runner.cycle import execute_cycle
from tests.integration.crawl_helpers import World, add_failing_page


def _cycle(world: World) -> int:
    world.site.clear_requests()
    return execute_cycle(world.settings(), lambda: datetime.now(UTC)).exit_code


def test_a_page_that_failed_last_cycle_is_fetched_behind_a_304_then_left_alone(
    world: World,
) -> None:
    site = world.site
    assert _cycle(world) == 0  # a clean cycle on the crawled archive
    added = add_failing_page(site)
    assert _cycle(world) == 1  # the new page failed
    site.clear_faults()

    assert _cycle(world) == 0
    (index,) = site.requests_for("/press/release/index.html")
    assert index.status == 304
    assert [r.status for r in site.requests_for(added)] == [200]
    assert added in world.versions()

    assert _cycle(world) == 0
    assert [r.status for r in site.requests_for("/press/release/index.html")] == [304]
    assert site.requests_for(added) == []
