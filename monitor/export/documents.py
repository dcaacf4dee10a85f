"""Documents as JSONL or CSV, and the changes an Atom 1.0 feed carries.

The feed carries every "new" and "updated" change, silent ones too (marked as
recorded by monitor.export.feed), except updates caused by an extractor upgrade
alone (same response body, different extractor): the page did not change.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from monitor.export.feed import ATOM, render_feed
from storage.db import DbSession
from storage.export import FeedChange, exported_documents, feed_changes, feed_keys
from storage.pairs import Counterpart, all_counterparts
from storage.vocabulary import ChangeKind

__all__ = [
    "ATOM",
    "ExportRow",
    "FeedEntry",
    "export_rows",
    "feed_entries",
    "render_feed",
]

logger = logging.getLogger(__name__)

CSV_COLUMNS = (
    "url", "doc_id", "kind", "language", "date", "title", "section", "first_seen_at",
    "versions", "state", "meeting_format", "duration_minutes", "participants",
    "topics",
)  # fmt: skip
FEED_KINDS = (ChangeKind.NEW, ChangeKind.UPDATED)
FEED_PAGE = 100  # rows the feed query reads at a time


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One document: its newest version's Document plus presence bookkeeping."""

    document: dict[str, Any]
    first_seen_at: datetime
    last_seen_at: datetime
    versions: int
    state: str
    pair: Counterpart | None = None  # the other language's version, when paired

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.document,
            "first_seen_at": self.first_seen_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
            "versions": self.versions,
            "state": self.state,
            "pair": None
            if self.pair is None
            else {
                "url": self.pair.url,
                "language": self.pair.language,
                "method": self.pair.method,
            },
        }

    def to_csv(self) -> dict[str, Any]:
        doc = self.document
        meeting = doc.get("meeting") or {}
        people = meeting.get("participants") or ()
        return {
            **{k: doc.get(k) for k in CSV_COLUMNS[:7]},
            "first_seen_at": self.first_seen_at.isoformat(),
            "versions": self.versions,
            "state": self.state,
            "meeting_format": meeting.get("format"),
            "duration_minutes": meeting.get("duration_minutes"),
            "participants": "; ".join(str(p.get("name")) for p in people),
            "topics": "; ".join(doc.get("topics") or ()),
        }


def export_rows(
    session: DbSession, *, kinds: Sequence[str] = (), since: str | None = None
) -> Iterator[ExportRow]:
    """Documents (filtered by kind and date, inclusive) in URL order."""
    pairs = all_counterparts(session)
    for row in exported_documents(session, kinds=kinds, since=since):
        yield ExportRow(
            row.content, row.first_seen_at, row.last_seen_at, row.versions, row.state,
            pair=pairs.get(row.document_id),
        )  # fmt: skip


def write_jsonl(rows: Iterator[ExportRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


def write_csv(rows: Iterator[ExportRow], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row.to_csv())
        count += 1
    return count


# --- Atom feed ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedEntry:
    change_id: int
    kind: str
    url: str
    doc_kind: str
    content: dict[str, Any]
    fields: tuple[str, ...]  # changed fields of an update
    detected_at: datetime
    captured_at: datetime  # when the new content was fetched (replays: capture time)
    seq: int | None = None  # the version the change made
    diff: tuple[dict[str, Any], ...] = ()  # the stored field changes
    baseline: bool = False  # recorded silently as the baseline (or by a replay)


def feed_entries(
    session: DbSession,
    limit: int | None,
    *,
    keep: Callable[[FeedEntry], bool] | None = None,
    since: datetime | None = None,
    only: Collection[int] | None = None,
) -> Iterator[FeedEntry]:
    """The newest new/updated changes (captured at or after `since`), newest first,
    minus extractor-only updates; with `keep`, only the entries it accepts (a feed
    per kind or rule); with `only`, among those change ids alone (the web view's
    filtered feeds). At most `limit` (None: all), read a page at a time."""
    count = 0
    after: tuple[datetime, int] | None = None
    while limit is None or count < limit:
        keys = feed_keys(session, FEED_KINDS, since, after, FEED_PAGE, only)
        version_ids = [k[1] for k in keys]
        for change in feed_changes(session, version_ids, FEED_KINDS, only):
            if change.extractor_only:
                continue
            entry = _entry(change)
            if keep is not None and not keep(entry):
                continue
            yield entry
            count += 1
            if limit is not None and count >= limit:
                return
        if len(keys) < FEED_PAGE:
            return
        after = keys[-1]


def _entry(change: FeedChange) -> FeedEntry:
    fields = tuple(dict.fromkeys(str(d.get("field")) for d in change.diff))
    return FeedEntry(
        change.change_id, change.kind, change.url, change.doc_kind,
        change.content, fields, change.detected_at,
        change.captured_at, seq=change.seq,
        diff=change.diff,
        baseline=change.is_silent and change.reason == "baseline",
    )  # fmt: skip
