"""crawler.revisit.next_due: revisits staggered by URL, so a herd is spread."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from crawler.revisit import (
    MONTH,
    NEVER,
    RevisitPolicy,
    RevisitState,
    next_due,
    staggered_slot,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OLD = datetime(2024, 1, 1, tzinfo=UTC)  # monthly revisits after a year
URLS = [
    f"https://www.mofa.go.jp/press/release/press4e_{n:06d}.html" for n in range(3000)
]


def _old(
    last: datetime | None,
    *,
    needs_attention: bool = False,
    is_placeholder: bool = False,
) -> RevisitState:
    return RevisitState(
        first_seen_at=OLD,
        last_fetched_at=last,
        is_placeholder=is_placeholder,
        needs_attention=needs_attention,
    )


def test_a_herd_fetched_together_is_spread_over_the_interval():
    due = [next_due(_old(NOW), NOW, RevisitPolicy(), url) for url in URLS]
    assert all(NOW + MONTH / 2 <= when < NOW + MONTH * 3 / 2 for when in due)
    days = Counter((when - NOW).days for when in due)
    assert set(days) == set(range(15, 45))  # every day of the month gets some
    mean = len(URLS) / 30
    assert max(days.values()) < 1.5 * mean
    assert min(days.values()) > 0.5 * mean


def test_after_the_first_revisit_each_document_keeps_its_own_slot():
    url = URLS[7]
    first = next_due(_old(NOW), NOW, RevisitPolicy(), url)
    second = next_due(_old(first), first, RevisitPolicy(), url)
    assert second - first == MONTH
    # A fetch a little late (budget) keeps the slot: the next one is on time.
    late = first + timedelta(hours=5)
    assert next_due(_old(late), late, RevisitPolicy(), url) == second


def test_slots_differ_by_url_and_are_stable():
    slots = {staggered_slot(NOW, MONTH, url) for url in URLS[:50]}
    assert len(slots) == 50
    assert staggered_slot(NOW, MONTH, URLS[0]) == staggered_slot(NOW, MONTH, URLS[0])


def test_every_cycle_documents_are_due_at_once_oldest_first():
    young = RevisitState(first_seen_at=NOW - timedelta(days=1), last_fetched_at=NOW)
    assert next_due(young, NOW, RevisitPolicy(), URLS[0]) == NOW
    assert next_due(_old(None), NOW, RevisitPolicy(), URLS[0]) == NOW
    attention = _old(NOW - timedelta(hours=3), needs_attention=True)
    assert next_due(attention, NOW, RevisitPolicy(), URLS[0]) == NOW - timedelta(
        hours=3
    )
    placeholder = _old(NOW - timedelta(hours=1), is_placeholder=True)
    assert next_due(placeholder, NOW, RevisitPolicy(), URLS[0]) < NOW


def test_old_documents_never_revisited_when_monthly_after_is_off():
    policy = RevisitPolicy(monthly_after=False)
    assert next_due(_old(NOW), NOW, policy, URLS[0]) == NEVER
