"""The crawl over real HTTP against the simulated site, in a subprocess (run_crawl)."""

from __future__ import annotations

import re
import time

import pytest

from storage.models import DocumentState
from tests.integration.crawl_helpers import EVERY_CYCLE, add_failing_page
from tests.sitesim import FIXTURE_SITE, Fault

pytestmark = pytest.mark.e2e

INDEX_PAGES = (
    "/press/release/index.html",
    "/press/kaiken/index.html",
    "/press/statement/fm.html",
    "/na/na1/us/index.html",
)
DETAIL = re.compile(r'href="(/[^"#]*?/(?:page|press|kaiken)[a-z0-9]*_[0-9_]+\.html)')
PLACEHOLDER = "/press/kaiken/kaikenite_000001_00118.html"


def _listed_paths() -> set[str]:
    """Detail links on the fixture site's index pages (read here by a plain regex)."""
    pages = [FIXTURE_SITE / p.lstrip("/") for p in INDEX_PAGES]
    pages += sorted((FIXTURE_SITE / "press/release").glob("2*_index.html"))
    found: set[str] = set()
    for page in pages:
        found.update(DETAIL.findall(page.read_text(encoding="utf-8")))
    return found


def test_first_crawl_stores_every_listed_document_once_with_kind_and_date(
    baseline, world
):
    listed = _listed_paths()
    assert len(listed) >= 10
    stats = baseline.first.stats
    assert baseline.first.returncode == 0
    assert stats.new_documents == len(listed) == stats.new_versions
    versions = world.versions()
    assert set(versions) == listed
    assert all(len(v) == 1 for v in versions.values())
    for path, (version,) in versions.items():
        kind = version.content["kind"]
        assert kind == {"release": "press_release", "kaiken": "press_conference"}.get(
            path.split("/")[2], kind
        )
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", version.content["date"] or ""), path
    assert versions["/na/na1/us/page4e_001274.html"][0].content["date"] == "2022-07-29"
    assert versions["/press/kaiken/kaiken24e_000136.html"][0].content["kind"] == (
        "press_conference"
    )
    assert stats.sections == dict.fromkeys(
        ["press_releases", "press_conferences", "statements", "japan_us"], "ok"
    )


def test_unchanged_site_gets_only_conditional_requests_answered_304(world):
    result = world.crawl()
    assert result.returncode == 0
    index_requests = [
        r for r in world.site.requests if r.path.endswith(("index.html", "fm.html"))
    ]
    assert {r.path for r in index_requests} >= set(INDEX_PAGES)
    assert all(r.is_conditional for r in index_requests), index_requests
    assert all(r.status == 304 for r in index_requests)
    (robots,) = world.site.requests_for("/robots.txt")
    assert robots.is_conditional
    assert robots.status == 304
    stats = result.stats
    assert stats.new_versions == 0
    assert stats.new_documents == 0
    # Old documents are not due; only the placeholder transcript is revisited.
    details = [r.path for r in world.site.requests if DETAIL.search(f'href="{r.path}"')]
    assert details == [PLACEHOLDER]
    assert all(len(v) == 1 for v in world.versions().values())


def test_changes_give_versions_to_exactly_the_added_edited_and_filled_documents(
    world,
):
    site = world.site
    added = "/press/release/pressite_000001_00999.html"
    site.add_page(
        added,
        site.read_page("/press/release/press4e_003170.html").replace(
            "Vice-Ministers", "Deputy Ministers"
        ),
        index_path="/press/release/index.html",
        link_text="Japan-U.S. Deputy Ministers' Meeting",
    )
    edited = "/na/na1/us/page4e_001274.html"
    site.edit_page(edited, "approximately 55 minutes", "approximately 65 minutes")
    deleted = "/press/release/press4e_003170.html"
    site.delete_page(deleted)
    site.edit_page(
        PLACEHOLDER,
        "<p>The text will be coming soon.</p>",
        "<p>Press Secretary Nagai: Good afternoon. Let me begin with two points.</p>"
        "<p>Reporter: Thank you. What about the schedule?</p>",
    )
    before = world.versions()

    third = world.crawl(**EVERY_CYCLE)

    after = world.versions()
    grown = {p for p in after if len(after[p]) > len(before.get(p, []))}
    assert grown == {added, edited, PLACEHOLDER}
    assert after[PLACEHOLDER][-1].content["placeholder"] is False
    assert third.stats.new_documents == 1
    assert third.stats.missing == 1
    assert third.stats.removed == 0
    assert world.documents()[deleted].state is DocumentState.LIVE

    fourth = world.crawl(**EVERY_CYCLE)

    assert fourth.stats.removed == 1
    assert fourth.stats.new_versions == 0
    assert world.documents()[deleted].state is DocumentState.REMOVED


def test_every_index_page_blocked_is_reported_and_removes_nothing(world):
    for prefix in ("/press/*", "/na/*"):
        world.site.set_fault(prefix, Fault.blocked())

    result = world.crawl(**EVERY_CYCLE)

    assert result.returncode == 0
    assert result.all_index_blocked
    assert set(result.stats.sections.values()) == {"blocked"}
    blocked = [r for r in world.site.requests if r.status == 403]
    assert len(blocked) == len({r.path for r in blocked})  # no retries
    states = {d.state for d in world.documents().values()}
    assert DocumentState.REMOVED not in states
    assert result.stats.new_versions == 0


def test_server_error_on_one_index_page_is_reported_and_removes_nothing(world):
    world.site.set_fault("/press/kaiken/index.html", Fault.error(500))

    result = world.crawl(**EVERY_CYCLE)

    stats = result.stats
    assert stats.sections["press_conferences"] == "failing"
    assert stats.sections["press_releases"] == "ok"
    assert stats.index_failed == 1
    assert not result.all_index_blocked
    attempts = world.site.requests_for("/press/kaiken/index.html")
    assert len(attempts) == 3  # first try and two retries
    assert DocumentState.REMOVED not in {d.state for d in world.documents().values()}


def test_too_many_requests_waits_for_retry_after_then_retries(world):
    world.site.set_fault(
        "/na/na1/us/index.html", Fault.too_many(retry_after=2, times=1)
    )

    result = world.crawl()

    attempts = world.site.requests_for("/na/na1/us/index.html")
    assert [r.status for r in attempts] == [429, 304]
    assert attempts[1].at - attempts[0].at >= 2.0
    assert result.stats.sections["japan_us"] == "ok"


@pytest.mark.parametrize(
    "retry_after", ["abc", "-5", "Thu, 01 Jan 1970 00:00:00 -0000", "soon, maybe"]
)
def test_any_retry_after_on_a_429_is_retried_never_a_crash(world, retry_after):
    world.site.set_fault(
        "/na/na1/us/index.html", Fault.too_many(retry_after=retry_after, times=1)
    )

    result = world.crawl()

    attempts = world.site.requests_for("/na/na1/us/index.html")
    assert [r.status for r in attempts] == [429, 304]
    assert result.stats.sections["japan_us"] == "ok"


def test_robots_disallowed_path_is_never_requested(world):
    world.site.set_robots("User-agent: *\nDisallow: /press/kaiken/\n")

    result = world.crawl(**EVERY_CYCLE)

    assert world.site.requests_for("/press/kaiken/") == []
    assert result.stats.robots_forbidden >= 1
    assert result.stats.sections["press_releases"] == "ok"


def test_robots_answering_403_counts_as_allow_all(world):
    world.site.set_fault("/robots.txt", Fault.blocked())

    result = world.crawl()

    assert result.stats.robots_status == 403
    assert set(result.stats.sections.values()) == {"ok"}
    assert world.site.requests_for("/press/release/index.html")


def test_robots_answering_500_fetches_nothing_and_fails_the_sections(world):
    world.site.set_fault("/robots.txt", Fault.error(500))

    result = world.crawl(**EVERY_CYCLE)

    assert result.stats.robots_status == 500
    assert {r.path for r in world.site.requests} == {"/robots.txt"}
    assert set(result.stats.sections.values()) == {"failing"}
    assert not result.all_index_blocked
    assert DocumentState.REMOVED not in {d.state for d in world.documents().values()}


def test_off_host_redirect_is_refused_and_counted(world):
    world.site.set_fault(
        "/na/na1/us/index.html", Fault.redirect("http://elsewhere.invalid/x.html")
    )

    result = world.crawl()

    assert result.stats.refused_redirects == 1
    assert result.stats.sections["japan_us"] == "failing"
    assert len(world.site.requests_for("/na/na1/us/index.html")) == 1


def test_reset_is_retried_and_time_outs_fail_the_section_without_removal(world):
    world.site.set_fault("/na/na1/us/index.html", Fault.reset(times=1))
    world.site.set_fault("/press/kaiken/index.html", Fault.slow(1.5))

    result = world.crawl(timeout_seconds=0.5, **EVERY_CYCLE)

    us = world.site.requests_for("/na/na1/us/index.html")
    assert [r.status for r in us] == [0, 304]
    assert result.stats.sections["japan_us"] == "ok"
    assert result.stats.sections["press_conferences"] == "failing"
    assert result.stats.index_failed == 1
    assert result.stats.retries >= 2  # the time-out twice (a reset may be
    # retried by the HTTP client itself on a reused connection)
    assert DocumentState.REMOVED not in {d.state for d in world.documents().values()}


def test_run_crawl_kills_a_crawl_past_its_hard_timeout(world):
    from monitor.runner.crawl import KILL_GRACE_SECONDS, CrawlEnd, run_crawl

    world.site.set_fault("/press/*", Fault.slow(20))
    run = world.run_config(timeout_seconds=60.0)

    started = time.monotonic()
    result = run_crawl(run, timeout=4)

    assert result.end is CrawlEnd.TIMED_OUT
    assert not result.ok
    # limit + SIGTERM grace + slack for a loaded machine
    assert time.monotonic() - started < 4 + KILL_GRACE_SECONDS + 10


def test_document_whose_first_fetch_failed_is_fetched_next_cycle_behind_a_304(world):
    site = world.site
    added = add_failing_page(site)
    first = world.crawl()
    assert added not in world.versions()
    assert first.stats.failed == 1
    site.clear_faults()
    site.clear_requests()

    second = world.crawl()

    (index,) = site.requests_for("/press/release/index.html")
    assert index.status == 304
    assert [r.status for r in site.requests_for(added)] == [200]
    assert second.stats.new_documents == 1
    assert len(world.versions()[added]) == 1


def test_with_rereading_off_an_unchanged_index_is_not_parsed_again(world):
    # What the parent asks for after a clean crawl: a 304 index page lists nothing
    # the last crawl did not already get, so its stored copy is left unread.
    site = world.site
    added = add_failing_page(site)
    world.crawl()
    site.clear_faults()
    site.clear_requests()

    world.crawl(reread_unchanged_indexes=False)

    (index,) = site.requests_for("/press/release/index.html")
    assert index.status == 304
    assert site.requests_for(added) == []
