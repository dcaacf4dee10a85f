"""The crawl's output, read while it runs: its log into ours, progress, its record.

Standard output carries CrawlEvent lines (crawler.contract); standard error only what
escaped the crawl's logging (a crash before logging was set up, a dying interpreter),
relayed line by line as warnings so that a failing crawl always says why.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import IO

from crawler.contract import (
    CrawlStats,
    LogEvent,
    LogLevel,
    Progress,
    ProgressEvent,
    StatsEvent,
    decode_event,
)

logger = logging.getLogger("crawl")

TAIL_LINES = 40
_LEVELS = {
    LogLevel.DEBUG: logging.DEBUG,
    LogLevel.INFO: logging.INFO,
    LogLevel.WARNING: logging.WARNING,
    LogLevel.ERROR: logging.ERROR,
}


def gist(message: str) -> str:
    """One line of an error message: a traceback's last line, else the first line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1] if "Traceback (most recent call last)" in message else lines[0]


class CrawlOutput:
    """Two reader threads over the crawl's pipes; join() once the process exited."""

    def __init__(
        self,
        stdout: IO[bytes],
        stderr: IO[bytes],
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.stats: CrawlStats | None = None
        self.progress = Progress()
        self.last_error: str | None = None
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._on_progress = on_progress
        self._threads = [
            threading.Thread(target=self._events, args=(stdout,), daemon=True),
            threading.Thread(target=self._raw, args=(stderr,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float = 10.0) -> None:
        for thread in self._threads:
            thread.join(timeout)

    def _events(self, stream: IO[bytes]) -> None:
        with stream:
            for raw in stream:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                event = decode_event(line)
                if event is None:
                    self._relay_raw(line)
                elif isinstance(event, LogEvent):
                    self._relay_log(event)
                elif isinstance(event, ProgressEvent):
                    self._progress(event.progress)
                elif isinstance(event, StatsEvent):
                    self.stats = event.stats
                    self._progress(event.stats.progress)

    def _raw(self, stream: IO[bytes]) -> None:
        with stream:
            for raw in stream:
                self._relay_raw(raw.decode("utf-8", "replace").rstrip("\n"))

    def _relay_log(self, event: LogEvent) -> None:
        level = _LEVELS[event.level]
        child = logging.getLogger(f"crawl.{event.logger}")
        child.log(level, "%s", event.message)
        if level >= logging.ERROR and gist(event.message):
            self.last_error = gist(event.message)
        self.tail.append(event.message)

    def _relay_raw(self, line: str) -> None:
        if not line.strip():
            return
        logger.warning("%s", line)
        self.tail.append(line)
        if not line.startswith(" "):  # not a line inside a traceback
            self.last_error = line.strip()

    def _progress(self, progress: Progress) -> None:
        self.progress = progress
        if self._on_progress is not None:
            self._on_progress(progress)
