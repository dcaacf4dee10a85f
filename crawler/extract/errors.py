"""The one error of extraction."""

from __future__ import annotations


class ExtractionError(ValueError):
    """The page no longer has the shape this module expects (likely a redesign)."""
