"""What every channel implements, and the one error a channel raises."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

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


class PartialDelivery(NotifyError):
    """Some recipients got the message and `undelivered` did not (an SMTP server
    refused them): a retry goes to those only."""

    def __init__(self, message: str, *, undelivered: tuple[str, ...]) -> None:
        super().__init__(message)
        self.undelivered = undelivered


class Notifier(Protocol):
    """One configured channel: send a rendered message or raise NotifyError."""

    name: str

    def send(self, message: Rendered) -> None: ...


@runtime_checkable
class AddressedNotifier(Notifier, Protocol):
    """A channel with recipients of its own (email) that can send to some only."""

    def send_to(self, message: Rendered, recipients: tuple[str, ...]) -> None: ...


def send_once(
    notifier: Notifier, message: Rendered, recipients: tuple[str, ...] | None = None
) -> None:
    """Send to the channel's recipients, or to `recipients` only when the channel
    has recipients of its own."""
    if recipients is not None and isinstance(notifier, AddressedNotifier):
        notifier.send_to(message, recipients)
    else:
        notifier.send(message)


def send_waiting_once(
    notifier: Notifier,
    message: Rendered,
    *,
    recipients: tuple[str, ...] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_wait: float = MAX_INLINE_WAIT_SECONDS,
) -> None:
    """Send; when the channel asks to retry within `max_wait` seconds, wait and send
    once more. Raises the NotifyError of the last try (its retry_after kept)."""
    try:
        send_once(notifier, message, recipients)
        return
    except NotifyError as exc:
        wait = exc.retry_after
        if wait is None or wait > max_wait:
            raise
    logger.info("channel %s asks to retry in %.1fs; waiting", notifier.name, wait)
    sleep(max(wait, 0.0))
    send_once(notifier, message, recipients)
