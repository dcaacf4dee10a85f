"""What every channel implements, and the one error a channel raises."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Rendered

logger = logging.getLogger(__name__)

# A channel asking to retry (HTTP 429 Retry-After) this long or less is waited out,
# then tried once more; a longer wish is left to the outbox's next attempt.
MAX_INLINE_WAIT_SECONDS = 30.0


class NotifyError(Exception):
    """A message could not be delivered; `retry_after` is the server's wish, if any.

    The message never contains a secret (password, webhook URL).
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Notifier(Protocol):
    """One configured channel: send a rendered message or raise NotifyError."""

    name: str

    def send(self, message: Rendered) -> None: ...


def send_waiting_once(
    notifier: Notifier,
    message: Rendered,
    *,
    sleep: Callable[[float], None] = time.sleep,
    max_wait: float = MAX_INLINE_WAIT_SECONDS,
) -> None:
    """Send; when the channel asks to retry within `max_wait` seconds, wait and send
    once more. Raises the NotifyError of the last try (its retry_after kept)."""
    try:
        notifier.send(message)
        return
    except NotifyError as exc:
        wait = exc.retry_after
        if wait is None or wait > max_wait:
            raise
    logger.info("channel %s asks to retry in %.1fs; waiting", notifier.name, wait)
    sleep(max(wait, 0.0))
    notifier.send(message)
