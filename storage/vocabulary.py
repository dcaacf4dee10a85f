"""The closed sets stored in the database, importable without SQLAlchemy.

The crawl's run contract and the configuration name these values; keeping them here
lets ``mofawatch --help`` and the crawl's start-up avoid loading the ORM.
"""

from __future__ import annotations

import enum

__all__ = [
    "AlertStatus",
    "ChangeKind",
    "DocumentState",
    "ExtractionPath",
    "PairMethod",
    "RunStatus",
    "SectionState",
    "SilentReason",
]


class DocumentState(enum.StrEnum):
    LIVE = "live"
    REMOVED = "removed"
    BLOCKED = "blocked"


class ChangeKind(enum.StrEnum):
    NEW = "new"
    UPDATED = "updated"
    REMOVED = "removed"
    RESTORED = "restored"
    # Events of a Japanese-English pair (recorded on the pair's English document).
    TRANSLATED = "translated"
    DISCREPANCY = "discrepancy"


class PairMethod(enum.StrEnum):
    """How a Japanese and an English document were found to be one page."""

    LINK = "link"  # one page links to the other (its "English"/"Japanese" link)
    INFERRED = "inferred"  # no link: same date, meeting format and participants


class AlertStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    BLOCKED = "blocked"
    INTERRUPTED = "interrupted"  # stopped by a signal (SIGTERM, SIGINT, SIGHUP)


class SectionState(enum.StrEnum):
    OK = "ok"
    FAILING = "failing"
    BLOCKED = "blocked"


class SilentReason(enum.StrEnum):
    """Why a change is recorded without an alert (changes.reason)."""

    BASELINE = "baseline"
    FLAP = "flap"
    EMPTY = "empty_diff"
    EXTRACTOR = "extractor"
    # The English page of a known Japanese document: its `translated` alert stands
    # for its `new` (storage.translations).
    TRANSLATED = "translated"


class ExtractionPath(enum.StrEnum):
    """Where the extractor found a page's content (snapshots.extraction_path)."""

    LANDMARKS = "landmarks"  # a known landmark (#maincontents, main, .any-area, ...)
    STRUCTURE = "structure"  # the title heading and the main run of paragraph text
