"""Which channels a change goes to, and when: pure matching of [[rules]] (no I/O)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from monitor.config import EventKind, RuleSettings, Settings

logger = logging.getLogger(__name__)

CONSOLE_CHANNEL = "console"
DEFAULT_DIGEST_AT = "08:00"
_MODE_ORDER = {"immediate": 0, "hourly": 1, "daily": 2}
_EVENTS = frozenset(EventKind)


class Route(NamedTuple):
    """One channel a change goes to, how, and from when it may be sent."""

    channel: str
    mode: str
    due_at: datetime


def route_change(
    kind: str, document: Mapping[str, Any], settings: Settings, now: datetime
) -> list[Route]:
    """Channels (with mode and due time) whose rules match this change, by name."""
    if not settings.rules:
        names = [c.name for c in settings.channels] or [CONSOLE_CHANNEL]
        return [Route(name, "immediate", now) for name in names if kind in _EVENTS]
    best: dict[str, Route] = {}
    for rule in settings.rules:
        if not rule_matches(rule, kind, document):
            continue
        due_at = due_time(rule.mode, rule.digest_at, settings.schedule.timezone, now)
        for channel in rule.channels:
            route = Route(channel, rule.mode, due_at)
            current = best.get(channel)
            if current is None or _sooner(route, current):
                best[channel] = route
    return [best[name] for name in sorted(best)]


def ops_channels(settings: Settings) -> list[str]:
    """The channels operational alerts go to: [ops] channels, else all, else console."""
    if settings.ops.channels:
        return list(settings.ops.channels)
    return [c.name for c in settings.channels] or [CONSOLE_CHANNEL]


def rule_matches(rule: RuleSettings, kind: str, document: Mapping[str, Any]) -> bool:
    """True when every criterion the rule sets holds for this change."""
    meeting = document.get("meeting") or None
    checks = (
        kind in rule.events,
        not rule.kinds or document.get("kind") in rule.kinds,
        not rule.meetings_only or meeting is not None,
        not rule.keywords or _has_keyword(rule.keywords, document),
        not rule.participants or _has_participant(rule.participants, meeting),
        not rule.topics or _has_topic(rule.topics, document.get("topics") or ()),
        not rule.countries or _has_country(rule.countries, meeting),
    )
    return all(checks)


def due_time(
    mode: str, digest_at: str | None, timezone: str, now: datetime
) -> datetime:
    """When an alert of this mode may go out: now, next full hour, or next digest_at."""
    if mode == "immediate":
        return now
    # Digests are due at wall-clock times of the configured zone, stored in UTC.
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    if mode == "hourly":
        top = local.replace(minute=0, second=0, microsecond=0)
        return top.astimezone(UTC) + timedelta(hours=1)
    hour, minute = (int(part) for part in (digest_at or DEFAULT_DIGEST_AT).split(":"))
    at = datetime.combine(local.date(), time(hour, minute), tzinfo=tz)
    if at <= local:
        at = datetime.combine(local.date() + timedelta(days=1), time(hour, minute), tz)
    return at.astimezone(UTC)


def _sooner(route: Route, other: Route) -> bool:
    if route.due_at != other.due_at:
        return route.due_at < other.due_at
    return _MODE_ORDER.get(route.mode, 9) < _MODE_ORDER.get(other.mode, 9)


def _has_keyword(keywords: Iterable[str], document: Mapping[str, Any]) -> bool:
    text = "\n".join([str(document.get("title") or ""), *(document.get("body") or ())])
    return any(_keyword_pattern(word).search(text) for word in keywords if word.strip())


def _keyword_pattern(word: str) -> re.Pattern[str]:
    escaped = re.escape(word.strip())
    # Latin words match whole words ("Korea" not in "Koreans"); CJK has no spaces.
    if word.isascii():
        escaped = rf"(?<!\w){escaped}(?!\w)"
    return re.compile(escaped, re.IGNORECASE)


def _participants(meeting: Mapping[str, Any] | None) -> list[str]:
    if not meeting:
        return []
    return [str(p.get("name") or "") for p in meeting.get("participants") or ()]


def _has_participant(wanted: Iterable[str], meeting: Mapping[str, Any] | None) -> bool:
    names = [name.casefold() for name in _participants(meeting)]
    return any(w.casefold() in name for w in wanted if w.strip() for name in names)


def _has_topic(wanted: Iterable[str], topics: Iterable[str]) -> bool:
    have = {t.casefold() for t in topics}
    return any(w.casefold() in have for w in wanted)


def _has_country(wanted: Iterable[str], meeting: Mapping[str, Any] | None) -> bool:
    country = str((meeting or {}).get("counterpart_country") or "").casefold()
    return bool(country) and any(w.casefold() == country for w in wanted)
