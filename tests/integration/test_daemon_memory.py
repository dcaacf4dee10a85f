"""A quiet daemon's memory levels off: a real daemon process, the simulated site,
200 cycles, and the bound stated in tests/daemon_memory.py.

The test conftest starts this file first, so its worker runs the long series of
cycles while the others share out the rest of the suite.
"""

from __future__ import annotations

import pytest

from tests.daemon_memory import BOUND_FROM, BOUND_TO, RSS_GROWTH_BOUND_MIB, sample_rss

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(30 * BOUND_TO)
def test_quiet_daemon_rss_levels_off() -> None:
    series = dict(sample_rss((BOUND_FROM, BOUND_TO)))
    growth = series[BOUND_TO] - series[BOUND_FROM]
    assert growth < RSS_GROWTH_BOUND_MIB, (
        f"RSS grew {growth:.2f} MiB from cycle {BOUND_FROM} to {BOUND_TO} "
        f"(bound {RSS_GROWTH_BOUND_MIB:.1f}): {series}"
    )
