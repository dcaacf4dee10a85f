"""Is a new extraction of a page a regression of its stored version? Pure (no I/O).

A page the extractor no longer understands (a redesign, a broken template) still
yields something: a body of a few navigation links, no date, no meeting, the site's
name as title. Stored, that would be a new version announced as an edit. `lost_fields`
names what the new extraction lost that the stored version had; a non-empty answer
makes the fetch suspect: kept as a snapshot with its reason, never a version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

SUSPECT_PREFIX = "suspect extraction: lost "
# Titles that name the site, not a page.
_SITE_TITLE = re.compile(
    r"^\s*(?:(?:the\s+)?ministry\s+of\s+foreign\s+affairs(?:\s+of\s+japan)?|mofa|外務省)"
    r"\s*$",
    re.IGNORECASE,
)
# Running text: long enough and ending as a sentence ends (a link or a heading does
# not). Japanese has no spaces, so length is counted in characters.
PROSE_MIN_CHARS = 30
PROSE_MIN_CHARS_CJK = 15
_CJK = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
_SENTENCE_END = re.compile(
    "[.!?\u3002\uff01\uff1f][)\\]\"'\u201d\u2019\u300d\u300f\uff09]*\\s*$"
)


def lost_fields(stored: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """What `new` lost of `stored`, by name ("body text", "date"...); [] if nothing."""
    if not stored:
        return []
    lost: list[str] = []
    prose_gone = has_prose(stored.get("body")) and not has_prose(new.get("body"))
    if prose_gone and not new.get("placeholder"):
        lost.append("body text")
    for name, label in (("date", "date"), ("meeting", "meeting facts")):
        if stored.get(name) and not new.get(name):
            lost.append(label)
    if stored.get("exchanges") and not new.get("exchanges"):
        lost.append("exchanges")
    title, old_title = new.get("title") or "", stored.get("title") or ""
    title_gone = not title.strip() or is_site_title(title)
    if old_title and not is_site_title(old_title) and title_gone:
        lost.append("title")
    return lost


def suspect_reason(
    stored: Mapping[str, Any] | None, new: Mapping[str, Any]
) -> str | None:
    """The snapshot's extraction error for a regressed page; None when it is fine."""
    lost = lost_fields(stored, new)
    return SUSPECT_PREFIX + ", ".join(lost) if lost else None


def has_prose(body: Sequence[str] | None) -> bool:
    """True when some paragraph is running text rather than a link or a label."""
    return any(is_prose(line) for line in body or ())


def is_prose(line: str) -> bool:
    text = line.strip()
    least = PROSE_MIN_CHARS_CJK if _CJK.search(text) else PROSE_MIN_CHARS
    return len(text) >= least and _SENTENCE_END.search(text) is not None


def is_site_title(title: str) -> bool:
    return _SITE_TITLE.match(title) is not None
