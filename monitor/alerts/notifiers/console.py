"""The console channel: alerts as text on a stream (stdout by default)."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, TextIO

from monitor.textsafe import printable

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Rendered

logger = logging.getLogger(__name__)

SEPARATOR = "=" * 72


class ConsoleNotifier:
    """Writes the subject and text part of each message, under a separator line."""

    def __init__(self, name: str = "console", *, stream: TextIO | None = None) -> None:
        self.name = name
        self._stream = stream

    def send(self, message: Rendered) -> None:
        stream = self._stream if self._stream is not None else sys.stdout
        stream.write(printable(f"{SEPARATOR}\n{message.subject}\n\n{message.text}"))
        if not message.text.endswith("\n"):
            stream.write("\n")
        stream.flush()
