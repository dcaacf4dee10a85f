"""Two versions compared as the alerts compare them, laid out for a page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from monitor.alerts.render.facts import change_summary
from monitor.detect.diff import change_heading, diff_documents, format_value


@dataclass(frozen=True, slots=True)
class DiffBlock:
    """One field change: its heading, and either word runs or old and new values."""

    heading: str
    words: tuple[tuple[str, str], ...]  # ("=", "-", "+") runs
    old: str | None
    new: str | None

    def side(self, which: str) -> tuple[tuple[str, str], ...]:
        """The runs one column shows: unchanged words and the removed (`-`) or
        added (`+`) ones."""
        return tuple((op, text) for op, text in self.words if op in ("=", which))


@dataclass(frozen=True, slots=True)
class Comparison:
    summary: str | None
    blocks: tuple[DiffBlock, ...]


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> Comparison:
    """The field changes and word diffs from `old` to `new`."""
    changes = diff_documents(old, new)
    blocks = tuple(
        DiffBlock(
            heading=change_heading(change),
            words=change.words,
            old=None if change.old is None else format_value(change.field, change.old),
            new=None if change.new is None else format_value(change.field, change.new),
        )
        for change in changes
    )
    return Comparison(change_summary(changes), blocks)
