"""What replay reads from any source: captures, problems, and helpers they share."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

logger = logging.getLogger(__name__)

_SNIFF = 4096


class SourceKind(enum.StrEnum):
    WARC = "warc"
    HTTPCACHE = "httpcache"
    HTML = "html"
    DBM = "dbm"  # a Scrapy DbmCacheStorage file (inside an HTTP-cache folder)


class SourceError(ValueError):
    """A SOURCE argument that does not exist or is of no known type."""


@dataclass(frozen=True, slots=True)
class BodyRef:
    """Where a capture's body lives. Bodies beyond replay's memory budget are dropped
    when collected and read again batch by batch, so a replay of a large archive
    keeps only captures' metadata in memory."""

    kind: SourceKind
    path: str
    offset: int = 0  # WARC: the record's offset
    key: str = ""  # DBM: the entry's key (the request fingerprint)


@dataclass(frozen=True, slots=True)
class Capture:
    """One saved response, whatever it was saved in."""

    url: str
    fetched_at: datetime
    status: int
    body: bytes | None  # None: no body (304), or dropped until loaded (body_ref)
    headers: tuple[tuple[str, str], ...]
    origin: str  # "file" or "file@offset": where a message should point
    role: str | None = None  # "index" | "detail" when the crawl recorded it
    final_url: str | None = None  # the answering URL when it differs (redirects)
    body_ref: BodyRef | None = None
    is_page: bool = True  # False: robots.txt, images, CSS found in a WARC


@dataclass(frozen=True, slots=True)
class Problem:
    """Input that could not be replayed; reported and skipped."""

    path: str
    offset: int | None
    message: str

    def __str__(self) -> str:
        where = (
            self.path if self.offset is None else f"{self.path} @ offset {self.offset}"
        )
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Ignored:
    """A saved response that is not a page (robots.txt, images, CSS, PDFs): counted
    and skipped, never a failure."""

    path: str
    reason: str


Item = Capture | Problem | Ignored


def parse_time(text: str | None) -> datetime | None:
    """An ISO time (a trailing Z allowed) as aware UTC; None when absent or bad."""
    if not text:
        return None
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] if text[-6:-5] in ("+", "-") else text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def looks_like_html(body: bytes, headers: tuple[tuple[str, str], ...]) -> bool:
    """An HTML content type, or markup that starts like a page (no NUL bytes)."""
    for name, value in headers:
        if name.lower() == "content-type" and "html" in value.lower():
            return True
    head = body[:_SNIFF]
    if b"\x00" in head:
        return False
    text = head.decode("utf-8", "replace").lower()
    return any(tag in text for tag in ("<html", "<!doctype html", "<head", "<body"))


def is_page_response(
    status: int, headers: tuple[tuple[str, str], ...], body: bytes | None
) -> bool:
    """Whether a saved response is a page (robots.txt, images and CSS are not).

    Only 200s are judged: a 304, 404 or 403 means something for the page itself.
    """
    if status != 200:
        return True
    for name, value in headers:
        if name.lower() == "content-type":
            return "html" in value.lower()
    return body is None or looks_like_html(body, ())


def header(capture: Capture, name: str) -> str | None:
    """First value of an HTTP header of the capture (case-insensitive)."""
    wanted = name.lower()
    for key, value in capture.headers:
        if key.lower() == wanted:
            return value
    return None
