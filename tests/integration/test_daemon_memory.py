"""A quiet daemon's memory levels off: a real daemon process, the simulated site.

Fifty cycles, not the 150 of the stated bound: a cycle costs a crawl subprocess (two
to eight seconds on a shared machine), and 200 of them would take longer than the
rest of the suite. The bound is taken pro rata (1.3 MiB); the code before the fix grew
about 3.5 MiB over the same stretch.
"""

from __future__ import annotations

import pytest

from tests.daemon_memory import growth_bound_mib, sample_rss

pytestmark = pytest.mark.e2e

FIRST, LAST = 10, 60


@pytest.mark.timeout(30 * LAST)
def test_quiet_daemon_rss_levels_off() -> None:
    series = dict(sample_rss((FIRST, LAST)))
    growth = series[LAST] - series[FIRST]
    bound = growth_bound_mib(LAST - FIRST)
    assert growth < bound, (
        f"RSS grew {growth:.2f} MiB from cycle {FIRST} to {LAST} (bound {bound:.2f}): "
        f"{series}"
    )
