"""crawler.revisit: the decaying revisit schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crawler.revisit import RevisitPolicy, RevisitState, is_due

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POLICY = RevisitPolicy()


def _state(age_days: float, fetched_ago: timedelta | None, **kw) -> RevisitState:
    return RevisitState(
        first_seen_at=NOW - timedelta(days=age_days),
        last_fetched_at=None if fetched_ago is None else NOW - fetched_ago,
        **kw,
    )


@pytest.mark.parametrize(
    ("age_days", "fetched_ago", "due"),
    [
        (1, timedelta(minutes=30), True),  # young: every cycle
        (2.9, timedelta(minutes=1), True),
        (10, timedelta(hours=23), False),  # daily window
        (10, timedelta(hours=24), True),
        (100, timedelta(days=6), False),  # weekly window
        (100, timedelta(days=7), True),
        (400, timedelta(days=29), False),  # monthly after a year
        (400, timedelta(days=30), True),
    ],
)
def test_due_follows_the_decaying_schedule(age_days, fetched_ago, due):
    assert is_due(_state(age_days, fetched_ago), NOW, POLICY) is due


def test_placeholder_is_due_every_cycle_whatever_its_age():
    state = _state(500, timedelta(minutes=5), is_placeholder=True)
    assert is_due(state, NOW, POLICY)


def test_never_fetched_and_attention_documents_are_due():
    assert is_due(_state(500, None), NOW, POLICY)
    assert is_due(_state(500, timedelta(minutes=5), needs_attention=True), NOW, POLICY)


def test_old_publication_date_makes_a_newly_seen_document_old():
    state = _state(0.01, timedelta(minutes=10), published_on=date(2024, 1, 12))
    assert not is_due(state, NOW, POLICY)


def test_monthly_revisits_can_be_switched_off():
    policy = RevisitPolicy(monthly_after=False)
    assert not is_due(_state(800, timedelta(days=300)), NOW, policy)


def test_configured_windows_are_used():
    policy = RevisitPolicy(every_cycle_days=0, daily_until_days=1, weekly_until_days=2)
    assert not is_due(_state(0.5, timedelta(hours=2)), NOW, policy)


def _archive(year: int, month: int):
    from crawler.extract import listing

    link = listing.archive_link(
        f"https://www.mofa.go.jp/press/release/{year:04d}{month:02d}_index.html"
    )
    assert link is not None
    return link


@pytest.mark.parametrize(
    ("ym", "fetched_ago", "due"),
    [
        ((2026, 11), timedelta(minutes=30), True),  # this month: every cycle
        ((2026, 10), timedelta(minutes=30), True),  # last month: late entries
        ((2026, 6), timedelta(days=3), False),  # older: weekly sweep, staggered
        ((2026, 6), timedelta(days=10.5), True),  # within [3.5, 10.5) days
        ((2026, 6), None, True),  # never fetched (first crawl, backfill)
        ((2021, 12), None, False),  # before SITE_SINCE
    ],
)
def test_archive_schedule(ym, fetched_ago, due):
    from crawler.plan import ArchivePolicy, archive_due

    last = None if fetched_ago is None else NOW - fetched_ago
    policy = ArchivePolicy(since=(2022, 1))
    assert archive_due(_archive(*ym), last, NOW, policy) is due


def test_crawl_now_is_utc_aware():
    from crawler.plan import crawl_now

    assert crawl_now("2026-10-31T12:00:00") == datetime(2026, 10, 31, 12, tzinfo=UTC)
    assert crawl_now("").tzinfo is UTC
