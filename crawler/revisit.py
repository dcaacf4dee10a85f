"""When a known document is due for another (conditional) fetch. Pure; no I/O.

Young documents are fetched often, old ones rarely: every cycle for the first days,
then daily, weekly, and monthly after a year (all configurable).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from crawler.contract import RevisitPolicy

__all__ = ["RevisitPolicy", "RevisitState", "is_due"]

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)


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
