"""Is an answer the site's page or something standing in for it? A WAF refusal, a bot
challenge or a soft 404, whatever its status. Pure (no Scrapy), so that the crawl's
challenge middleware and `mofawatch check` judge alike: the one place for it.
"""

from __future__ import annotations

import enum
import re

__all__ = ["BLOCKED_STATUSES", "Hostile", "classify", "is_challenge"]

# Statuses that mean "refused": never content, never a removal.
BLOCKED_STATUSES = frozenset({403, 429})
SNIFF_BYTES = 16384  # refusal pages are small; real pages show their title early

# Markers of a bot challenge or a WAF refusal anywhere near the top of the body.
_BLOCK_MARKERS = re.compile(
    rb"/cdn-cgi/challenge-platform|cf-chl-|checking your browser"
    rb"|verify(?:ing)? (?:that )?(?:you are|you're) (?:a )?human"
    rb"|wait while we verify your browser|_Incapsula_Resource"
    rb"|the requested url was rejected|pardon our interruption",
    re.IGNORECASE,
)
# Titles (or first headings) that a refusal, not a page, carries.
_BLOCK_TITLE = re.compile(
    r"^(?:access denied|just a moment|attention required|request rejected"
    r"|security check|one moment, please|403 forbidden)\b",
    re.IGNORECASE,
)
# Titles (or first headings) of a "not found" page served with 200.
_NOT_FOUND_TITLE = re.compile(
    r"^(?:404\b[\s:-]*)?(?:(?:page|file|document)\s+)?not\s+found\b"
    r"|^(?:the\s+)?(?:page|file)\s+(?:you\s+requested\s+)?(?:could\s+not|cannot)"
    r"\s+be\s+found|^404$|^ページが見つかりません",
    re.IGNORECASE,
)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


class Hostile(enum.StrEnum):
    """What stands in for the page."""

    BLOCKED = "blocked"  # a WAF refusal or a bot challenge
    NOT_FOUND = "not_found"  # a soft 404: "Page Not Found" with 200


def classify(status: int, cf_mitigated: bytes | None, body: bytes) -> Hostile | None:
    """BLOCKED or NOT_FOUND when the answer stands in for the page; None otherwise."""
    if cf_mitigated:
        return Hostile.BLOCKED
    if status not in (200, 403, 429, 503):
        return None
    head = body[:SNIFF_BYTES]
    if _BLOCK_MARKERS.search(head):
        return Hostile.BLOCKED
    heading = _heading(head)
    if _BLOCK_TITLE.search(heading):
        return Hostile.BLOCKED
    if status == 200 and _NOT_FOUND_TITLE.search(heading):
        return Hostile.NOT_FOUND
    return None


def is_challenge(status: int, cf_mitigated: bytes | None, body: bytes) -> bool:
    """A block (challenge or refusal) rather than the page."""
    return classify(status, cf_mitigated, body) is Hostile.BLOCKED


def _heading(head: bytes) -> str:
    """The page's <title>, else its first <h1>, as plain text."""
    match = _TITLE.search(head) or _H1.search(head)
    if match is None:
        return ""
    text = _TAG.sub(" ", match.group(1).decode("utf-8", "replace"))
    return " ".join(text.split())
