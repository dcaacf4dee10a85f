"""A quiet daemon's memory levels off: a real daemon process, the simulated site."""

from __future__ import annotations

import pytest

from tests.daemon_memory import RSS_GROWTH_BOUND_MIB, sample_rss

pytestmark = pytest.mark.e2e

FIRST, LAST = 50, 200


@pytest.mark.timeout(60 * LAST)
def test_quiet_daemon_rss_levels_off() -> None:
    series = dict(sample_rss((FIRST, LAST)))
    growth = series[LAST] - series[FIRST]
    assert growth < RSS_GROWTH_BOUND_MIB, (
        f"RSS grew {growth:.1f} MiB from cycle {FIRST} to {LAST}: {series}"
    )
