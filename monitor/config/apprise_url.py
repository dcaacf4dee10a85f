"""Apprise URLs: whether Apprise can use one, and Apprise's log kept to ourselves.

Apprise is imported only when an Apprise channel is configured. Its log lines, and
those of the HTTP library it uses, may show parts of a URL (tokens), so while it works
they are collected here, never passed on to the user's log.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

# Apprise's own logger, and the HTTP library under it (it logs request paths).
QUIET_LOGGERS = ("apprise", "urllib3")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def apprise_log() -> Iterator[list[str]]:
    """Apprise's log lines while the block runs (and nowhere else).

    Apprise loads its plugins on first use; one of them imports the standard
    library's deprecated imghdr: that warning is not the user's concern.
    """
    handler = _Collect()
    logs = [logging.getLogger(name) for name in QUIET_LOGGERS]
    saved = [(log.handlers[:], log.level, log.propagate) for log in logs]
    for log in logs:
        log.handlers[:] = [handler]
        log.setLevel(logging.DEBUG)
        log.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=".*imghdr.*", category=DeprecationWarning
            )
            yield handler.lines
    finally:
        for log, (handlers, level, propagate) in zip(logs, saved, strict=True):
            log.handlers[:] = handlers
            log.setLevel(level)
            log.propagate = propagate


def load_apprise() -> ModuleType:
    """The apprise package (imported on first use)."""
    with apprise_log():
        import apprise
    return apprise


def apprise_service(url: str) -> Any:
    """The Apprise service object of `url`, or None when Apprise cannot use it."""
    apprise = load_apprise()
    with apprise_log():
        return apprise.Apprise.instantiate(url)
