"""The Atom 1.0 feed of new and updated documents (RFC 4287).

Entries say what the email says, with the same labels (monitor.alerts.render.cards):
the headline ("New meeting", "Updated"), the count of changes, the facts and the
first real paragraph. Ids are tag: URIs (RFC 4151) made of the watched site, the
page's path and the version number, so they stay the same when the database is
moved or rebuilt from a replay. Documents recorded silently (the baseline of the
first crawl, a replay) are marked "Recorded", never shown as news.
A feed may be narrowed to document kinds and to one [[rules]] table.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Card
    from monitor.config import RuleSettings
    from monitor.export.documents import FeedEntry

logger = logging.getLogger(__name__)

ATOM = "http://www.w3.org/2005/Atom"
# The tag date: a fixed day, so an id never depends on when this copy of the
# database was made.
TAG_DATE = "2000"
RECORDED = "Recorded"
RECORDED_NOTE = (
    "Recorded without an alert: on the site when monitoring began, or read from a "
    "replay."
)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """What a feed carries: document kinds (empty: all) and one rule (1-based)."""

    kinds: tuple[str, ...] = ()
    rule: RuleSettings | None = None
    rule_number: int | None = None

    def keeps(self, entry: FeedEntry) -> bool:
        from monitor.alerts.rules import rule_matches

        if self.kinds and entry.doc_kind not in self.kinds:
            return False
        return self.rule is None or rule_matches(self.rule, entry.kind, entry.content)

    def query(self) -> str:
        """The filter as a query string: part of the feed's id, empty for all."""
        params: list[tuple[str, str]] = [("kind", kind) for kind in self.kinds]
        if self.rule_number is not None:
            params.append(("rule", str(self.rule_number)))
        return urlencode(params)

    def describe(self) -> str:
        parts = [", ".join(k.replace("_", " ") for k in self.kinds)]
        parts = parts if self.kinds else []
        if self.rule_number is not None:
            parts.append(f"rule {self.rule_number}")
        return f" ({'; '.join(parts)})" if parts else ""


def entry_id(base_url: str, entry: FeedEntry) -> str:
    """tag:HOST,2000:mofawatch/PATH:vSEQ, the same for the same version anywhere."""
    host = urlsplit(base_url).hostname or "localhost"
    path = urlsplit(entry.url).path or "/"
    version = f"v{entry.seq}" if entry.seq is not None else f"change-{entry.change_id}"
    return f"tag:{host},{TAG_DATE}:mofawatch{path}:{version}"


def feed_id(base_url: str, feed_filter: FeedFilter) -> str:
    host = urlsplit(base_url).hostname or "localhost"
    query = feed_filter.query()
    return f"tag:{host},{TAG_DATE}:mofawatch/feed" + (f"?{query}" if query else "")


def render_feed(
    entries: Iterable[FeedEntry],
    *,
    base_url: str,
    now: datetime,
    created: datetime | None = None,  # accepted for older callers; ids use no date
    self_url: str | None = None,
    feed_filter: FeedFilter | None = None,
) -> str:
    """Atom 1.0 XML of entries given newest first."""
    chosen = feed_filter or FeedFilter()
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    own_id = feed_id(base_url, chosen)
    _text(feed, "id", own_id)
    host = urlsplit(base_url).hostname
    _text(feed, "title", f"mofawatch: changes on {host}{chosen.describe()}")
    updated = _text(feed, "updated", now.isoformat())
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", "mofawatch")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url or own_id)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=base_url)
    _text(feed, "generator", "mofawatch")
    newest: datetime | None = None
    for entry in entries:
        _entry(feed, entry, base_url)
        newest = max(newest or entry.captured_at, entry.captured_at)
    updated.text = (newest or now).isoformat()
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def entry_card(entry: FeedEntry) -> Card:
    """The email's card of this change: headline, counted changes, facts, summary."""
    from monitor.alerts.render.cards import ChangeView, change_card
    from monitor.detect.diff import FieldChange

    changes = tuple(FieldChange.from_dict(d) for d in entry.diff)
    view = ChangeView(
        alert_id=0,
        change_id=entry.change_id,
        kind=entry.kind,
        document_url=entry.url,
        doc_id=str(entry.content.get("doc_id") or ""),
        doc_kind=entry.doc_kind,
        seq=entry.seq,
        content=entry.content,
        changes=changes,
        detected_at=entry.detected_at,
        thread_root_alert_id=None,
    )
    return change_card(view)


def _entry(feed: ET.Element, entry: FeedEntry, base_url: str) -> None:
    card = entry_card(entry)
    recorded = entry.kind == "new" and entry.baseline
    node = ET.SubElement(feed, f"{{{ATOM}}}entry")
    _text(node, "id", entry_id(base_url, entry))
    _text(node, "title", f"{RECORDED if recorded else card.headline}: {card.title}")
    _text(node, "updated", entry.captured_at.isoformat())
    ET.SubElement(node, f"{{{ATOM}}}link", href=entry.url, rel="alternate")
    kind_label = dict(card.facts).get("Type", entry.doc_kind)
    ET.SubElement(node, f"{{{ATOM}}}category", term=entry.doc_kind, label=kind_label)
    if recorded:
        ET.SubElement(node, f"{{{ATOM}}}category", term="baseline", label=RECORDED)
    _text(node, "summary", "\n".join(_summary_lines(card, recorded)))


def _summary_lines(card: Card, recorded: bool) -> Sequence[str]:
    lines = [RECORDED_NOTE] if recorded else []
    if card.lead:
        lines.append(f"Changed: {card.lead}")
    lines += [f"{label}: {value}" for label, value in card.facts]
    if card.summary:
        lines.append(card.summary)
    return lines


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    # XML 1.0 cannot carry most control characters, even escaped.
    node = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    node.text = _XML_ILLEGAL.sub("", value)
    return node
