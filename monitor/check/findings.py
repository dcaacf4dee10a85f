"""What the extractor found on one detail page, and what a user would miss. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Titles of readouts whose meeting facts (format, time, people) the extractor should
# find: meetings, talks, calls, courtesy calls, lunches and dinners.
_MEETING_TITLE = re.compile(
    r"meeting|talks?\b|call\b|lunch|dinner|summit|会談|会議|表敬|昼食会|夕食会|会合",
    re.IGNORECASE,
)
_PATH_NAMES = ("path", "extraction_path")


@dataclass(frozen=True, slots=True)
class Findings:
    title: str | None
    date: str | None
    paragraphs: int
    placeholder: bool  # "The text will be coming soon."
    captions: int
    meeting: str | None  # "working_lunch, 12:10, 70 min, 2 participants"
    path: str | None  # which way the extractor took, when it says
    missing: tuple[str, ...]


def findings_of(document: Any) -> Findings:
    """Findings of an extracted Document (anything with to_dict(), or its dict)."""
    data: Mapping[str, Any] = (
        document.to_dict() if hasattr(document, "to_dict") else document
    )
    meeting = data.get("meeting")
    return Findings(
        title=data.get("title") or None,
        date=data.get("date") or None,
        paragraphs=len(data.get("body") or ()),
        placeholder=bool(data.get("placeholder")),
        captions=len(data.get("captions") or ()),
        meeting=_meeting_line(meeting) if meeting else None,
        path=extraction_path(document, data),
        missing=missing_fields(data),
    )


def missing_fields(data: Mapping[str, Any]) -> tuple[str, ...]:
    """Names of what a page of this kind should have and this one lacks."""
    missing = [name for name in ("title", "date") if not data.get(name)]
    if not data.get("body") and not data.get("placeholder"):
        missing.append("body")
    meeting = data.get("meeting")
    if _MEETING_TITLE.search(data.get("title") or ""):
        if not meeting:
            missing.append("meeting facts")
        elif not meeting.get("participants"):
            missing.append("meeting participants")
    return tuple(missing)


def extraction_path(document: Any, data: Mapping[str, Any]) -> str | None:
    """The extraction path, where the extractor records one (attribute or key)."""
    for name in _PATH_NAMES:
        value = getattr(document, name, None) or data.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _meeting_line(meeting: Mapping[str, Any]) -> str:
    parts = [str(meeting.get("format") or "meeting")]
    if meeting.get("started_at_local"):
        parts.append(str(meeting["started_at_local"]))
    if meeting.get("duration_minutes") is not None:
        parts.append(f"{meeting['duration_minutes']} min")
    people = len(meeting.get("participants") or ())
    parts.append(f"{people} participant{'' if people == 1 else 's'}")
    return ", ".join(parts)
