"""How a page was extracted: which path found its content (not part of the Document).

The crawl and replay may keep it beside a version (its metadata); a change of path
alone is never a change of the document.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from storage.vocabulary import ExtractionPath

__all__ = ["ExtractionPath", "ExtractionReport"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExtractionReport:
    """What the extractor did with one page, beside the Document it made."""

    path: ExtractionPath
    container: str  # the landmark's name, or the tag the structure pass settled on
    landmark_rejected: str | None = None  # why a landmark found was not used

    def to_dict(self) -> dict[str, str | None]:
        return {
            "path": self.path.value,
            "container": self.container,
            "landmark_rejected": self.landmark_rejected,
        }
