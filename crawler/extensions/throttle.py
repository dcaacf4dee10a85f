"""AutoThrottle that lets a 304 count as an answer.

Scrapy's AutoThrottle moves the delay towards the latency of each response, but only
a 200 may lower it: any other status can only raise it, because error pages are small
and fast. A 304 is neither: it is the site's full answer to a conditional request, and
a revisit sweep is almost nothing but 304s. With the stock rule one slow answer early
in a sweep set the delay for the rest of it (a mostly-304 sweep ran 26 times slower at
`download_delay = 0`). Here a 200 or a 304 moves the delay both ways, never below
`download_delay` nor above AUTOTHROTTLE_MAX_DELAY; other statuses still only raise it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.extensions.throttle import AutoThrottle

if TYPE_CHECKING:
    from scrapy.core.downloader import Slot
    from scrapy.http import Response

# Answers whose latency says how busy the site is, in either direction.
ANSWERS = frozenset({200, 304})


class AnswerThrottle(AutoThrottle):
    """AutoThrottle with 304s adjusting the delay as 200s do."""

    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        if response.status not in ANSWERS:
            super()._adjust_delay(slot, latency, response)
            return
        target = latency / self.target_concurrency
        # Halfway towards the target, or straight to it when the site slowed down.
        wanted = max(target, (slot.delay + target) / 2.0)
        slot.delay = min(max(self.mindelay, wanted), self.maxdelay)
