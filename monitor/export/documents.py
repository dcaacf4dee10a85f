"""Documents as JSONL or CSV, and an Atom 1.0 feed of recent changes.

The feed carries every "new" and "updated" change, silent ones too (a baseline
document is still news to a feed reader), except updates caused by an extractor
upgrade alone (same response body, different extractor): the page did not change.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from storage.history import feed_keys, feed_rows
from storage.models import Change, ChangeKind, Document, Snapshot, Version

logger = logging.getLogger(__name__)

ATOM = "http://www.w3.org/2005/Atom"
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

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.document,
            "first_seen_at": self.first_seen_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
            "versions": self.versions,
            "state": self.state,
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
    session: Session, *, kinds: Sequence[str] = (), since: str | None = None
) -> Iterator[ExportRow]:
    """Documents (filtered by kind and date, inclusive) in URL order."""
    counts = (
        select(
            Version.document_id,
            func.count().label("n"),
            func.max(Version.seq).label("top"),
        )
        .group_by(Version.document_id)
        .subquery()
    )
    newest = aliased(Version)
    stmt = (
        select(Document, newest, counts.c.n)
        .join(counts, counts.c.document_id == Document.id)
        .join(
            newest,
            (newest.document_id == Document.id) & (newest.seq == counts.c.top),
        )
        .order_by(Document.url)
    )
    if kinds:
        stmt = stmt.where(Document.kind.in_(tuple(kinds)))
    if since:
        stmt = stmt.where(Document.date >= since)
    # Read 500 rows at a time, so memory stays flat whatever the archive's size.
    for document, version, n in session.execute(stmt.execution_options(yield_per=500)):
        yield ExportRow(
            document=dict(version.content),
            first_seen_at=document.first_seen_at,
            last_seen_at=document.last_seen_at,
            versions=int(n),
            state=str(document.state),
        )


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


def feed_entries(
    session: Session, limit: int | None, since: datetime | None = None
) -> Iterator[FeedEntry]:
    """The newest new/updated changes (captured at or after `since`), newest first,
    minus extractor-only updates; at most `limit` (None: all), read a page at a time."""
    count = 0
    after: tuple[datetime, int] | None = None
    while limit is None or count < limit:
        keys = feed_keys(session, FEED_KINDS, since, after, FEED_PAGE)
        for change, document, version in feed_rows(session, [k[1] for k in keys]):
            if limit is not None and count >= limit:
                return
            if change.kind == ChangeKind.UPDATED and _extractor_only(session, change):
                continue
            fields = tuple(
                dict.fromkeys(str(d.get("field")) for d in change.diff or ())
            )
            yield FeedEntry(
                change.id, str(change.kind), document.url, document.kind,
                dict(version.content), fields, change.detected_at,
                _aware(version.created_at),
            )  # fmt: skip
            count += 1
        if len(keys) < FEED_PAGE:
            return
        after = keys[-1]


def _extractor_only(session: Session, change: Change) -> bool:
    ids = (change.from_version_id, change.to_version_id)
    if None in ids:
        return False
    old, new = (session.get(Version, i) for i in ids)
    if old is None or new is None or old.extractor_version == new.extractor_version:
        return False
    bodies = {_body_sha(session, old), _body_sha(session, new)}
    return len(bodies) == 1 and None not in bodies


def _body_sha(session: Session, version: Version) -> str | None:
    if version.snapshot_id is None:
        return None
    snapshot = session.get(Snapshot, version.snapshot_id)
    return None if snapshot is None else snapshot.body_sha256


def _aware(when: datetime) -> datetime:
    # SQLite returns naive datetimes; every stored time is UTC.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def tag_uri(base_url: str, day: datetime, specific: str) -> str:
    """A tag: URI (RFC 4151) that stays the same for the same change."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{day:%Y-%m-%d}:{specific}"


def render_feed(
    entries: Iterable[FeedEntry], *, base_url: str, now: datetime, created: datetime
) -> str:
    """Atom 1.0 XML of entries given newest first; `created` dates the feed's own id
    so it never changes."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", tag_uri(base_url, created, "feed"))
    _text(feed, "title", f"mofawatch: changes on {urlsplit(base_url).hostname}")
    updated = _text(feed, "updated", now.isoformat())
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "mofawatch")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base_url)
    _text(feed, "generator", "mofawatch")
    newest: datetime | None = None
    for entry in entries:
        _entry(feed, entry, base_url)
        newest = max(newest or entry.captured_at, entry.captured_at)
    updated.text = (newest or now).isoformat()
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _entry(feed: ET.Element, entry: FeedEntry, base_url: str) -> None:
    from monitor.alerts.render.cards import document_facts, document_summary

    node = ET.SubElement(feed, f"{{{ATOM}}}entry")
    specific = f"change/{entry.change_id}"
    _text(node, "id", tag_uri(base_url, entry.detected_at, specific))
    title = entry.content.get("title") or entry.url
    prefix = "New" if entry.kind == ChangeKind.NEW else "Updated"
    _text(node, "title", f"{prefix}: {title}")
    _text(node, "updated", entry.captured_at.isoformat())
    ET.SubElement(node, f"{{{ATOM}}}link", href=entry.url, rel="alternate")
    lines = [
        f"{label}: {value}"
        for label, value in document_facts(entry.content, entry.doc_kind)
    ]
    if entry.fields:
        lines.insert(0, "Changed: " + ", ".join(entry.fields))
    summary = document_summary(entry.content)
    if summary:
        lines.append(summary)
    _text(node, "summary", "\n".join(lines))


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    # XML 1.0 cannot carry most control characters, even escaped.
    node = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    node.text = _XML_ILLEGAL.sub("", value)
    return node
