"""ParentWatch: the crawl polls its parent's pid and ends itself if the parent is gone.

The second line behind PR_SET_PDEATHSIG (crawler/lifeline.py), and the only one
where that does not exist.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.lifeline import PARENT_GONE_EXIT, parent_gone
from crawler.settings import run_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0


class ParentWatch:
    """Checks the parent once a second while the engine runs."""

    def __init__(self, parent_pid: int) -> None:
        self.parent_pid = parent_pid
        self._loop = task.LoopingCall(self.check)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        parent_pid = run_of(crawler.settings).parent_pid
        if parent_pid is None:
            raise NotConfigured  # started by hand: nobody to watch
        watch = cls(parent_pid)
        crawler.signals.connect(watch.engine_started, signal=signals.engine_started)
        crawler.signals.connect(watch.engine_stopped, signal=signals.engine_stopped)
        return watch

    def engine_started(self) -> None:
        self._loop.start(POLL_SECONDS, now=True)

    def engine_stopped(self) -> None:
        if self._loop.running:
            self._loop.stop()

    def check(self) -> None:
        if parent_gone(self.parent_pid):
            # Nobody will read what we would write on the way out: stop now.
            logger.error("the parent process %s is gone: stopping", self.parent_pid)
            os._exit(PARENT_GONE_EXIT)
