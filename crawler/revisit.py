"""When a known document is due for another (conditional) fetch. Pure; no I/O.

Young documents are fetched often, old ones rarely: every cycle for the first days,
then daily, weekly, and monthly after a year (all configurable).

Each document's revisits fall on slots of its own: one per interval, offset by a
stable hash of its URL. Documents that entered a bucket together (a backfill) are
thus spread over the interval, and the requests per cycle stay level.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from crawler.contract import RevisitPolicy

__all__ = ["NEVER", "RevisitPolicy", "RevisitState", "is_due", "next_due"]

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)
# The due time of a document never fetched again (monthly_after = false).
NEVER = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class RevisitState:
    """What the schedule needs to know about one known document."""

    first_seen_at: datetime
    last_fetched_at: datetime | None
    is_placeholder: bool = False
    published_on: date | None = None
    needs_attention: bool = (
        False  # a 404 awaiting confirmation, or blocked/failed last time
    )


def document_age(state: RevisitState, now: datetime) -> timedelta:
    """Age from publication when known, else from first sight (backfills)."""
    born = state.first_seen_at
    if state.published_on is not None:
        published_at = datetime.combine(state.published_on, datetime.min.time(), UTC)
        born = min(born, published_at)
    return max(now - born, timedelta(0))


def revisit_interval(age: timedelta, policy: RevisitPolicy) -> timedelta | None:
    """Minimum time between fetches at this age; zero = every cycle; None = never."""
    if age < timedelta(days=policy.every_cycle_days):
        return timedelta(0)
    if age < timedelta(days=policy.daily_until_days):
        return DAY
    if age < timedelta(days=policy.weekly_until_days):
        return WEEK
    return MONTH if policy.monthly_after else None


def is_due(state: RevisitState, now: datetime, policy: RevisitPolicy) -> bool:
    """Whether the document should be fetched in the cycle running at `now`."""
    if state.is_placeholder or state.needs_attention or state.last_fetched_at is None:
        return True
    interval = revisit_interval(document_age(state, now), policy)
    if interval is None:
        return False
    return now - state.last_fetched_at >= interval


def next_due(
    state: RevisitState, now: datetime, policy: RevisitPolicy, url: str
) -> datetime:
    """When the document is next due: at once (its last fetch, so the longest waiting
    go first) for every-cycle documents, on its staggered slot otherwise, NEVER when
    old documents are not revisited."""
    last = state.last_fetched_at
    if state.is_placeholder or state.needs_attention or last is None:
        return last or now
    interval = revisit_interval(document_age(state, now), policy)
    if interval is None:
        return NEVER
    if not interval:
        return last
    return staggered_slot(last, interval, url)


def url_phase(url: str) -> float:
    """A stable number in [0, 1) for the URL (the same in every process and run)."""
    digest = hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def staggered_slot(last: datetime, interval: timedelta, url: str) -> datetime:
    """The URL's first slot at least half an interval after `last`.

    Slots recur every interval at an offset given by the URL's phase; in a steady
    state successive fetches are exactly one interval apart, and after a herd (a
    backfill fetching thousands at once) the first revisits spread over
    [interval/2, 3 interval/2).
    """
    period = interval.total_seconds()
    offset = url_phase(url) * period
    earliest = last.timestamp() + period / 2
    slot = math.ceil((earliest - offset) / period) * period + offset
    return datetime.fromtimestamp(slot, UTC)
