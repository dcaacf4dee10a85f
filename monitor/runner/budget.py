"""How many known documents one cycle may fetch again ([site.revisit] budget keys).

By default, what fits in budget_share of the cycle's window at the configured delay:
the window is the schedule's interval (for a crontab line, the gap between its next
two times), or crawl_timeout_seconds when that is shorter. The rest of a sweep waits
for later cycles, most overdue first, so no cycle runs past its interval.
"""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.config import Settings
from monitor.schedule import next_fire_time

# What one request costs beside the politeness delay (the response itself, storage).
REQUEST_SECONDS = 0.5


def cycle_seconds(settings: Settings, now: datetime | None = None) -> float:
    """The time between two scheduled cycles."""
    schedule = settings.schedule
    if schedule.interval_seconds is not None:
        return float(schedule.interval_seconds)
    first = next_fire_time(schedule, now or datetime.now(UTC))
    return (next_fire_time(schedule, first) - first).total_seconds()


def baseline_budget(settings: Settings, now: datetime | None = None) -> int:
    """New documents a baseline fetches per cycle: what fits in nine tenths of the
    window (a cycle of a baseline has little else to do)."""
    return max(1, int(0.9 * _window(settings, now) / _per_request(settings)))


def _window(settings: Settings, now: datetime | None) -> float:
    return min(cycle_seconds(settings, now), settings.schedule.crawl_timeout_seconds)


def _per_request(settings: Settings) -> float:
    return settings.site.download_delay + REQUEST_SECONDS


def revisit_budget(settings: Settings, now: datetime | None = None) -> int:
    """Revisits allowed in one cycle: max_per_cycle, or what fits in the window."""
    revisit = settings.site.revisit
    if revisit.max_per_cycle is not None:
        return revisit.max_per_cycle
    share = revisit.budget_share * _window(settings, now)
    return max(1, int(share / _per_request(settings)))
