"""Slack Block Kit layouts of alert cards, kept inside Slack's size limits.

Limits (Block Kit reference): header text 150, section text 3000, at most 10 fields
of 2000 each, 50 blocks. Page text is escaped (&, <, >) and cut with "…".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from monitor.detect.diff import (
    ELLIPSIS,
    FieldChange,
    change_heading,
    excerpt,
    format_value,
)
from monitor.textsafe import printable

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Card

logger = logging.getLogger(__name__)

HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_MAX = 10
BLOCKS_MAX = 50
CONTEXT_MAX = 2000
CONTEXT_ELEMENTS = 10
DIGEST_CHANGES = 3


def card_blocks(card: Card) -> list[dict[str, Any]]:
    """Header, the facts as fields, link, summary, the difference, a footer."""
    blocks = [header(f"{card.prefix}{card.headline}: {card.title}")]
    if card.lead:
        blocks.append(section(f"*Changed:* {escape(card.lead)}", raw=True))
    facts = card.facts[:FIELDS_MAX]
    if facts:
        fields = [mrkdwn(_fact(label, value), FIELD_MAX) for label, value in facts]
        blocks.append({"type": "section", "fields": fields})
    if card.link:
        host = urlsplit(card.link).hostname or card.link
        blocks.append(
            section(f"<{escape(card.link)}|Open on {escape(host)}>", raw=True)
        )
    if card.note:
        blocks.append(section(f"*{escape(card.note)}*", raw=True))
    if card.summary:
        blocks.append(section(card.summary))
    if card.changes:
        blocks.append(section(diff_mrkdwn(card.changes), raw=True))
    rest = [f"{label}: {value}" for label, value in card.facts[FIELDS_MAX:]]
    elements = [mrkdwn(text, CONTEXT_MAX) for text in [*rest, card.footer]]
    blocks.append({"type": "context", "elements": elements[-CONTEXT_ELEMENTS:]})
    return blocks[:BLOCKS_MAX]


def digest_blocks(subject: str, cards: Sequence[Card]) -> list[dict[str, Any]]:
    """A header, then one section per card; the overflow is counted in a context."""
    blocks = [header(subject)]
    room = BLOCKS_MAX - 2
    for card in cards[:room]:
        blocks.append(section(_digest_entry(card), raw=True))
    if len(cards) > room:
        more = f"…and {len(cards) - room} more"
        blocks.append({"type": "context", "elements": [mrkdwn(more, CONTEXT_MAX)]})
    return blocks


def diff_mrkdwn(changes: Sequence[FieldChange], limit: int = SECTION_MAX) -> str:
    """'*What changed*' and one entry per change; what does not fit is counted."""
    text = "*What changed*"
    for index, change in enumerate(changes):
        left = len(changes) - index
        more = f"\n{ELLIPSIS} and {left} more change{'s' if left > 1 else ''}"
        entry = "\n" + _change_entry(change)
        if len(text) + len(entry) + (len(more) if left > 1 else 0) <= limit:
            text += entry
            continue
        rest = left - 1
        after = f"\n{ELLIPSIS} and {rest} more change{'s' if rest > 1 else ''}"
        after = after if rest else ""
        room = limit - len(text) - len(after)
        if room < 200:
            return text + more
        return text + _cut_escaped(entry, room) + after
    return text


def header(text: str) -> dict[str, Any]:
    """A header block (plain text: no escaping, at most 150 characters)."""
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": cut(text, HEADER_MAX)},
    }


def section(text: str, *, raw: bool = False) -> dict[str, Any]:
    """A mrkdwn section; `raw` text is already escaped mrkdwn."""
    body = _cut_escaped(text, SECTION_MAX) if raw else fit(text, SECTION_MAX)
    return {"type": "section", "text": {"type": "mrkdwn", "text": body}}


def mrkdwn(text: str, limit: int) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": fit(text, limit)}


def escape(text: str) -> str:
    """The three characters Slack asks to escape in mrkdwn; control characters go."""
    text = printable(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """`text` at most `limit` characters, ending in '…' when cut."""
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def fit(text: str, limit: int) -> str:
    """Escape `text`, cut so the escaped form fits `limit` (never inside an entity)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    keep = limit - 1
    while len(escape(text[:keep])) > limit - 1:
        keep -= len(escape(text[:keep])) - (limit - 1)
    return escape(text[:keep]) + ELLIPSIS


def _cut_escaped(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep = text[: limit - 1]
    amp = keep.rfind("&")
    if amp != -1 and ";" not in keep[amp:]:
        keep = keep[:amp]
    return keep + ELLIPSIS


def _fact(label: str, value: str) -> str:
    return f"*{label}*\n{value}"


def _change_entry(change: FieldChange) -> str:
    lines = [f"*{escape(change_heading(change))}*"]
    if change.words:
        lines.append(" ".join(_run(op, text) for op, text in excerpt(change.words)))
        return "\n".join(lines)
    if change.old is not None:
        lines.append("- " + escape(format_value(change.field, change.old)))
    if change.new is not None:
        lines.append("+ " + escape(format_value(change.field, change.new)))
    return "\n".join(lines)


def _run(op: str, text: str) -> str:
    if op == "-":
        return f"~{escape(text)}~"
    if op == "+":
        return f"*{escape(text)}*"
    return escape(text)


def _digest_entry(card: Card) -> str:
    title = escape(f"{card.headline}: {card.title}")
    first = f"*<{escape(card.link)}|{title}>*" if card.link else f"*{title}*"
    parts = [first, escape(_digest_facts(dict(card.facts)))]
    if card.changes:
        parts.append(diff_mrkdwn(card.changes[:DIGEST_CHANGES], limit=SECTION_MAX // 2))
        if len(card.changes) > DIGEST_CHANGES:
            parts.append(f"{ELLIPSIS} and {len(card.changes) - DIGEST_CHANGES} more")
    return "\n".join(parts)


def _digest_facts(facts: dict[str, str]) -> str:
    """'25 October 2022 · A with B · 55 min · Topics: X, Y' for one digest line."""
    sides = " with ".join(facts[k] for k in ("Japan", "Counterpart") if k in facts)
    parts = [facts.get("Date"), sides, facts.get("Duration")]
    if "Topics" in facts:
        parts.append(f"Topics: {facts['Topics']}")
    return " · ".join(part for part in parts if part)
