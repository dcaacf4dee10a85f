"""HTTP header values read the same way by the crawl and by the alert channels.

Pure (standard library only, no I/O), so `monitor` may import it.
"""

from __future__ import annotations

import email.utils
import math
from datetime import UTC, datetime

__all__ = ["MAX_RETRY_AFTER_SECONDS", "charset_of", "parse_retry_after"]

# A server asking for more than a day is treated as asking for a day.
MAX_RETRY_AFTER_SECONDS = 86_400.0


def parse_retry_after(
    value: str | bytes | None,
    now: datetime | None = None,
    *,
    ceiling: float = MAX_RETRY_AFTER_SECONDS,
) -> float | None:
    """Seconds to wait from a Retry-After value, between 0 and `ceiling`.

    The value is delay-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2026 07:28:00
    GMT", also with "+0000" or "-0000"), counted from `now` (default: the current
    time). A negative number or a date in the past means "now" (0). None when the
    header is absent or unreadable ("abc"): the caller keeps its own backoff.
    """
    text = _text(value)
    if not text:
        return None
    seconds = _delay_seconds(text)
    if seconds is None:
        seconds = _seconds_until(text, now or datetime.now(UTC))
    if seconds is None:
        return None
    return min(max(seconds, 0.0), ceiling)


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value.strip()


def _delay_seconds(text: str) -> float | None:
    try:
        seconds = float(text)
    except ValueError:
        return None
    if math.isnan(seconds):
        return None
    return seconds  # inf and huge values are clamped by the caller


def _seconds_until(text: str, now: datetime) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # "-0000" parses as naive: it is UTC all the same
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return (when - now).total_seconds()


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type value, lower-cased; None without one."""
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset":
            return value.strip("\"' ").lower() or None
    return None
