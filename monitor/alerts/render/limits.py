"""How much of an alert an email shows: the bound on each part, whatever the edit.

One alert adding 160 paragraphs once made a 222 KB message that mail clients clip
or refuse. A card shows its first MAX_SHOWN_CHANGES changes with every value
trimmed, and counts the rest; a digest beyond PART_LIMIT lists its remaining alerts
by title, then only counts them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from monitor.alerts.render.facts import trim
from monitor.detect.diff import ELLIPSIS, FieldChange, format_value

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Card

__all__ = ["MAX_SHOWN_CHANGES", "PART_LIMIT", "VALUE_CHARS", "capped", "within_limit"]

PART_LIMIT = 48 * 1024  # bytes of one part (text or HTML)
MAX_SHOWN_CHANGES = 10  # changes shown in full; the rest are counted, with the link
VALUE_CHARS = 800  # one shown value (a paragraph, old or new)


def within_limit(
    cards: Sequence[Card],
    full: Callable[[Card], str],
    brief: Callable[[Card], str],
    joint: int,
    *,
    reserve: int = 256,
) -> list[str]:
    """Each card in full while the part stays under PART_LIMIT, then briefly, then
    a count of the cards left out."""
    blocks: list[str] = []
    used = reserve
    for index, card in enumerate(cards):
        shown = capped(card)
        for render in (full, brief):
            block = render(shown)
            size = len(block.encode("utf-8")) + joint
            if used + size <= PART_LIMIT - reserve:
                blocks.append(block)
                used += size
                break
        else:
            left = len(cards) - index
            blocks.append(f"{ELLIPSIS} and {left} more alert{'s' if left > 1 else ''}")
            break
    return blocks


def capped(card: Card) -> Card:
    """The card with its first MAX_SHOWN_CHANGES changes, each value trimmed."""
    shown = tuple(_trimmed(change) for change in card.changes[:MAX_SHOWN_CHANGES])
    return replace(card, changes=shown, hidden_changes=len(card.changes) - len(shown))


def _trimmed(change: FieldChange) -> FieldChange:
    """The change with long text cut (a paragraph, an exchange); other values kept."""

    def cut(value: object) -> object:
        if isinstance(value, str):
            return trim(value, VALUE_CHARS)
        if isinstance(value, Mapping) and len(str(value)) > VALUE_CHARS:
            return trim(format_value(change.field, value), VALUE_CHARS)
        return value

    if change.words:
        words = tuple((op, trim(text, VALUE_CHARS)) for op, text in change.words)
        return replace(change, words=words)
    return replace(change, old=cut(change.old), new=cut(change.new))
