"""What storing a fetched page takes and gives: the extractor, extraction, outcomes.

One path for the crawl and for replay: extract_items runs the extractor with no
database open, storage.ingest_batch.store_batch writes the results (a crawl stores
each page as a batch of one, a replay many at a time).
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.normalize import content_hash
from storage.snapshots import BLOCKED_STATUSES, FetchRecord
from storage.versions import RecordResult
from storage.vocabulary import ExtractionPath

logger = logging.getLogger(__name__)

MISSING_STATUSES = frozenset({404, 410})


@dataclass(frozen=True, slots=True)
class Extracted:
    """A page's Document and the path the extractor took to find it (metadata,
    kept on the snapshot, never part of the Document)."""

    document: Mapping[str, Any]
    path: ExtractionPath | None = None


# (body, url, HTTP charset) -> the Document alone, or with its path; raises
# ValueError on a page it does not recognize.
ExtractFunction = Callable[[bytes, str, str | None], Mapping[str, Any] | Extracted]


@dataclass(frozen=True, slots=True)
class Extractor:
    """The function that turns a page into its Document, and the version stored
    with every version it makes."""

    version: str
    extract: ExtractFunction


class Outcome(enum.StrEnum):
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    NOT_MODIFIED = "not_modified"
    EXTRACT_FAILED = "extract_failed"
    SUSPECT = "suspect"  # extracted, but lost what the stored version had
    STILL_UNRECOGNIZED = "still_unrecognized"  # 304 to a failed or suspect page
    MISSING = "missing"
    BLOCKED = "blocked"
    FAILED = "failed"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class IngestResult:
    outcome: Outcome
    snapshot_id: int | None
    record: RecordResult | None
    error: str | None
    extraction_path: ExtractionPath | None = None
    removed: bool = False  # this answer (a second 404/410) removed the document


@dataclass(slots=True)
class BatchItem:
    """One fetch on its way to storage, with what extraction found."""

    fetch: FetchRecord
    now: datetime
    is_detail: bool
    document: Mapping[str, Any] | None = None
    digest: str | None = None
    error: str | None = None
    body_sha256: str | None = None
    suspect: bool = False  # extracted, but a regression of the stored version
    path: ExtractionPath | None = None  # how the extractor found the content

    def __post_init__(self) -> None:
        # Only a 200 body is content (a 404 page or a challenge is not kept).
        if self.fetch.status == 200 and self.fetch.body is not None:
            self.body_sha256 = hashlib.sha256(self.fetch.body).hexdigest()

    @property
    def to_extract(self) -> bool:
        """A document's content: index pages and answers without one are not read."""
        return self.is_detail and self.fetch.status == 200


def extract_items(items: Sequence[BatchItem], extractor: Extractor) -> None:
    """Fill in documents and content hashes; touches no database.

    A page the extractor does not recognize (ValueError), or one it crashes on,
    gets an error instead of a document: stored as the snapshot's extract error.
    """
    for item in items:
        _extract(item, extractor)


def _extract(item: BatchItem, extractor: Extractor) -> None:
    if not item.to_extract:
        return
    fetch = item.fetch
    try:
        extracted = run_extractor(
            extractor, fetch.body or b"", fetch.url, fetch.charset
        )
    except ValueError as exc:
        item.error = str(exc) or type(exc).__name__  # logged when stored
        return
    item.document, item.path = extracted.document, extracted.path
    item.digest = content_hash(item.document)


def run_extractor(
    extractor: Extractor, body: bytes, url: str, charset: str | None
) -> Extracted:
    """The extractor's answer for one page; ValueError when it gives none (it does
    not recognize the page, or it crashed on it)."""
    try:
        answer = extractor.extract(body, url, charset)
    except ValueError:
        raise
    except Exception as exc:
        # An extractor bug on one page must not stop a crawl or a replay of
        # thousands: it is that snapshot's extract error, like an unrecognized page.
        logger.warning("extractor crashed on %s", url, exc_info=True)
        raise ValueError(f"extractor crashed: {type(exc).__name__}: {exc}") from exc
    return answer if isinstance(answer, Extracted) else Extracted(answer)


def status_outcome(status: int) -> Outcome:
    if status == 304:
        return Outcome.NOT_MODIFIED
    if status in MISSING_STATUSES:
        return Outcome.MISSING
    if status in BLOCKED_STATUSES:
        return Outcome.BLOCKED
    if status >= 500 or status < 100:
        return Outcome.FAILED
    return Outcome.IGNORED  # 200 (handled by the caller) and other statuses
