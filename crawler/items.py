"""What the mofa spider yields: one fetch outcome per requested URL."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

logger = logging.getLogger(__name__)


class PageRole(enum.StrEnum):
    INDEX = "index"  # a section's list page or monthly archive
    DETAIL = "detail"  # a document


class FetchProblem(enum.StrEnum):
    """Why no usable HTTP answer came back (status then carries what we record)."""

    NONE = ""
    CHALLENGE = "challenge"  # WAF refusal or bot challenge: blocked, never content
    SOFT_404 = "soft_404"  # "Page Not Found" served with 200: recorded as a 404
    TIMEOUT = "timeout"
    NETWORK = "network"  # reset, refused, DNS
    OFF_HOST_REDIRECT = "off_host_redirect"  # a 3xx or a meta refresh
    REDIRECT_LOOP = "redirect_loop"  # back to a URL of the chain, or too many
    TOO_LARGE = "too_large"  # the body passed [crawl] max_response_bytes
    ROBOTS_DISALLOWED = "robots_disallowed"
    ROBOTS_UNAVAILABLE = "robots_unavailable"  # robots.txt answered 5xx / no answer

    @property
    def is_answer(self) -> bool:
        """The response says something about the page (content, blocked, missing);
        any other problem is a failed fetch that storage never sees as an answer."""
        return self in _ANSWERS


_ANSWERS = frozenset({FetchProblem.NONE, FetchProblem.CHALLENGE, FetchProblem.SOFT_404})


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """One response (or failure) for one URL, ready for storage.ingest."""

    url: str
    role: PageRole
    section: str | None
    fetched_at: datetime
    status: int  # 0 when no HTTP answer was received
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    charset: str | None = None
    content_type: str | None = None
    problem: FetchProblem = FetchProblem.NONE
    error: str | None = None

    @property
    def is_blocked(self) -> bool:
        return self.problem is FetchProblem.CHALLENGE or self.status in (403, 429)

    @property
    def is_failed(self) -> bool:
        if self.is_blocked or self.problem is FetchProblem.ROBOTS_DISALLOWED:
            return False
        return self.status >= 500 or self.status == 0 or not self.problem.is_answer

    @property
    def is_stored_answer(self) -> bool:
        """An HTTP answer storage takes in (content, 304, missing, blocked, 5xx)."""
        return self.status != 0 and self.problem.is_answer
