"""What every channel implements, and the one error a channel raises."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Rendered

logger = logging.getLogger(__name__)


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
