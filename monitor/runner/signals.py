"""Stopping on a signal: SIGTERM, SIGINT and SIGHUP ask the cycle to stop.

The handler only records the request; the cycle stops its crawl (the whole process
group, SIGTERM then SIGKILL after a grace period) and skips the steps not begun.
A second signal asks for the crawl to be killed at once.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class StopRequest:
    """Set from a signal handler (or any thread); read by the cycle between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signum: int | None = None
        self.count = 0

    def request(self, signum: int | None = None) -> None:
        self.count += 1
        if self.signum is None:
            self.signum = signum
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)

    @property
    def urgent(self) -> bool:
        """A second request: do not wait for a graceful end."""
        return self.count > 1

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum else "a stop request"

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as shells report a process ended by it."""
        return 128 + (self.signum or signal.SIGTERM)


@contextlib.contextmanager
def stop_on_signals(stop: StopRequest) -> Iterator[StopRequest]:
    """Route SIGTERM, SIGINT and SIGHUP to `stop` for the block (main thread only)."""

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("%s received: stopping", signal.Signals(signum).name)
        stop.request(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
