"""What every page reads: the archive and the settings, kept on the application."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from monitor.config import Settings
from storage.browse import Archive

EXTENSION = "mofawatch"


@dataclass(frozen=True, slots=True)
class WebState:
    archive: Archive
    settings: Settings


def state() -> WebState:
    """The state of the application handling the current request."""
    found: WebState = current_app.extensions[EXTENSION]
    return found
