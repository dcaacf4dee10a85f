"""Hostile answers over real HTTP: block pages and soft 404s served with 200, huge and
endless bodies, off-host meta refreshes, redirect loops. None becomes content."""

from __future__ import annotations

import pytest

from storage.models import DocumentState
from tests.integration.crawl_helpers import (
    EVERY_CYCLE,
    World,
)
from tests.sitesim import (
    HOSTILE_LAST_MODIFIED,
    VERIFY_BROWSER_BODY,
    Fault,
    SiteSim,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

DETAIL = "/press/release/press4e_003170.html"
OTHER = "/na/na1/us/page4e_001274.html"
INDEX_PAGES = (
    "/press/release/index.html",
    "/press/kaiken/index.html",
    "/press/statement/fm.html",
    "/na/na1/us/index.html",
)


def _seqs(world: World) -> dict[str, int]:
    return {path: len(versions) for path, versions in world.versions().items()}


@pytest.mark.parametrize(
    "fault",
    [Fault.block_page(), Fault.block_page(VERIFY_BROWSER_BODY)],
    ids=["access-denied", "verify-browser"],
)
def test_block_page_served_200_is_blocked_and_its_validators_are_never_sent(
    world, fault
):
    before = _seqs(world)
    world.site.set_fault(DETAIL, fault)

    blocked = world.crawl(**EVERY_CYCLE)

    assert [r.status for r in world.site.requests_for(DETAIL)] == [200]
    assert blocked.stats.blocked == 1
    assert blocked.stats.new_versions == 0
    assert _seqs(world) == before
    assert world.documents()[DETAIL].state is DocumentState.BLOCKED
    world.site.clear_faults()
    world.site.clear_requests()

    recovered = world.crawl(**EVERY_CYCLE)

    (request,) = world.site.requests_for(DETAIL)
    assert request.if_none_match not in (None, '"block_page-200"')
    assert request.if_modified_since != HOSTILE_LAST_MODIFIED
    assert request.status == 304  # against the real page's validators
    assert recovered.stats.new_versions == 0
    assert world.documents()[DETAIL].state is DocumentState.LIVE


def test_soft_404_is_a_miss_never_a_version_and_lends_no_validators(world):
    before = _seqs(world)
    world.site.set_fault(DETAIL, Fault.soft_404())

    first = world.crawl(**EVERY_CYCLE)

    assert first.stats.soft_404 == 1
    assert first.stats.missing == 1
    assert first.stats.new_versions == 0
    assert world.documents()[DETAIL].state is DocumentState.LIVE  # one miss only
    second = world.crawl(**EVERY_CYCLE)
    assert second.stats.removed == 1  # confirmed on a second cycle, like a 404
    assert _seqs(world) == before
    for request in world.site.requests_for(DETAIL)[1:]:
        assert request.if_none_match != '"soft_404-200"'


def test_block_page_on_every_index_page_is_the_site_blocking_us(world):
    for path in INDEX_PAGES:
        world.site.set_fault(path, Fault.block_page())

    result = world.crawl()

    assert result.all_index_blocked
    assert result.stats.new_versions == 0


def test_soft_404_on_every_index_page_fails_the_sections_saying_why(world):
    for path in INDEX_PAGES:
        world.site.set_fault(path, Fault.soft_404())

    result = world.crawl()

    assert set(result.stats.sections.values()) == {"failing"}
    assert set(result.stats.failing_sections.values()) == {
        "every index page answered 'not found'"
    }


def test_oversized_and_endless_bodies_fail_as_too_large_and_store_nothing(world):
    before = _seqs(world)
    world.site.set_fault(DETAIL, Fault.oversized(2_000_000))
    world.site.set_fault(OTHER, Fault.endless())

    result = world.crawl(max_response_bytes=256 * 1024, **EVERY_CYCLE)

    assert result.stats.too_large == 2
    assert result.stats.failed == 2
    assert result.stats.fetch_problems["too_large"] == 2
    assert _seqs(world) == before
    assert len(world.site.requests_for(DETAIL)) == 1  # not retried


def test_meta_refresh_to_another_host_is_refused_and_counted_failed(
    world, site_factory, tmp_path
):
    elsewhere: SiteSim = site_factory(tmp_path)
    before = _seqs(world)
    world.site.set_fault(DETAIL, Fault.meta_refresh(elsewhere.url("/x.html")))

    result = world.crawl(**EVERY_CYCLE)

    assert elsewhere.requests == []
    assert result.stats.refused_redirects == 1
    assert result.stats.failed == 1
    assert _seqs(world) == before


def test_same_host_meta_refresh_is_still_followed(world):
    world.site.set_fault(DETAIL, Fault.meta_refresh(OTHER))

    result = world.crawl(**EVERY_CYCLE)

    assert result.stats.refused_redirects == 0
    assert len(world.site.requests_for(OTHER)) == 2  # its own fetch and the refresh


@pytest.mark.parametrize("loop", ["self", "pair"])
def test_redirect_loop_is_a_counted_failure_not_a_silent_drop(world, loop):
    before = _seqs(world)
    if loop == "self":
        world.site.set_fault(DETAIL, Fault.redirect(DETAIL))
    else:
        world.site.set_fault(DETAIL, Fault.redirect("/press/release/moved.html"))
        world.site.set_fault("/press/release/moved.html", Fault.redirect(DETAIL))

    result = world.crawl(**EVERY_CYCLE)

    assert result.stats.redirect_loops == 1
    assert result.stats.failed == 1
    assert _seqs(world) == before


def test_robots_forbidding_everything_fails_every_section_saying_why(world):
    world.site.set_robots("User-agent: *\nDisallow: /\n")

    result = world.crawl()

    assert set(result.stats.failing_sections.values()) == {
        "robots.txt forbids every index page"
    }
    assert set(result.stats.failing_sections) == set(result.stats.sections)
