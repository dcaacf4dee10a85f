"""What every page reads: the archive and the settings, kept on the application."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app

from monitor.config import Settings
from storage.browse import Archive

EXTENSION = "mofawatch"


CHOICES_SECONDS = 60.0  # how long the filter's list of sections is reused


@dataclass
class WebState:
    archive: Archive
    settings: Settings
    _sections: tuple[float, list[str]] | None = None

    def sections(self) -> list[str]:
        """The sections documents have (for the filter), read once a minute: on a
        large archive the list costs more than a page of changes."""
        now = time.monotonic()
        if self._sections is None or now - self._sections[0] > CHOICES_SECONDS:
            self._sections = (now, self.archive.sections())
        return self._sections[1]


def state() -> WebState:
    """The state of the application handling the current request."""
    found: WebState = current_app.extensions[EXTENSION]
    return found
