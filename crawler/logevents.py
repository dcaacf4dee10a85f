"""The crawl's output channel: CrawlEvent lines on the standard output it was given.

Log records go there as LogEvents (the parent relays them into its own log), so
nothing the crawl says is lost and nothing is mixed with stray prints, which are
sent to standard error instead.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from typing import TextIO

from crawler.contract import LogEvent, LogLevel, ProgressEvent, StatsEvent, encode_event

# Our loggers speak at INFO; Scrapy's and Twisted's INFO lines are noise for a cycle.
OWN_LOGGERS = ("crawler",)


class EventWriter:
    """Writes one event per line, whole lines only, from any thread."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, event: LogEvent | ProgressEvent | StatsEvent) -> None:
        line = encode_event(event)
        with self._lock:
            try:
                self._stream.write(line)
                self._stream.flush()
            except (BrokenPipeError, ValueError):
                pass  # the parent is gone; the lifeline ends this process


_writer: EventWriter | None = None


def writer() -> EventWriter | None:
    """The channel set up by open_channel (None inside tests that build parts)."""
    return _writer


def open_channel() -> EventWriter:
    """Take standard output for events; stray writes to stdout go to stderr."""
    global _writer
    events = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _writer = EventWriter(events)
    return _writer


class EventHandler(logging.Handler):
    """Log records as LogEvents; below WARNING only our own loggers' unless DEBUG."""

    def __init__(self, events: EventWriter, level: LogLevel) -> None:
        super().__init__(getattr(logging, level.value))
        self.events = events
        self.everything = level is LogLevel.DEBUG

    def filter(self, record: logging.LogRecord) -> bool:
        return (
            self.everything
            or record.levelno >= logging.WARNING
            or record.name.split(".")[0] in OWN_LOGGERS
        )

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + "".join(traceback.format_exception(*record.exc_info))
            self.events.write(
                LogEvent(
                    level=_level(record.levelno), logger=record.name, message=message
                )
            )
        except Exception:
            self.handleError(record)


def _level(levelno: int) -> LogLevel:
    if levelno >= logging.ERROR:
        return LogLevel.ERROR
    if levelno >= logging.WARNING:
        return LogLevel.WARNING
    return LogLevel.INFO if levelno >= logging.INFO else LogLevel.DEBUG


def install(events: EventWriter, level: LogLevel) -> None:
    """Make the event channel the only handler of the root logger."""
    root = logging.getLogger()
    root.handlers[:] = [EventHandler(events, level)]
    root.setLevel(getattr(logging, level.value))
