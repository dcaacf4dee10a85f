"""Is an answer the site's page or a wall put up in front of it? Pure (no Scrapy), so
that the crawl's challenge middleware and `mofawatch check` judge alike."""

from __future__ import annotations

import re

# Statuses that mean "refused": never content, never a removal.
BLOCKED_STATUSES = frozenset({403, 429})

_CHALLENGE = re.compile(
    rb"<title>\s*Just a moment|Checking your browser"
    rb"|/cdn-cgi/challenge-platform|cf-chl-",
    re.IGNORECASE,
)


def is_challenge(status: int, cf_mitigated: bytes | None, body: bytes) -> bool:
    """A bot challenge rather than the page (Cloudflare-style header or page text)."""
    if cf_mitigated:
        return True
    if status not in (200, 403, 429, 503):
        return False
    return _CHALLENGE.search(body[:16384]) is not None
