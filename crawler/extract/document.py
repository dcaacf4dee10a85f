"""The Document: what the extractor makes of one page (DESIGN.md "Document").

Frozen dataclasses with a JSON edge: `to_dict` / `to_json` / `from_dict`.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


class DocumentKind(enum.StrEnum):
    """What a page is, from its address (`Document.kind`)."""

    PRESS_RELEASE = "press_release"
    PRESS_CONFERENCE = "press_conference"
    STATEMENT = "statement"
    PAGE = "page"


@dataclass(frozen=True, slots=True)
class Participant:
    """One person at a meeting, named as printed ("HAYASHI Yoshimasa")."""

    name: str
    role: str | None
    side: str  # "japan" | "counterpart"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "side": self.side}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Participant:
        return cls(name=data["name"], role=data.get("role"), side=data["side"])


@dataclass(frozen=True, slots=True)
class Meeting:
    """Facts of a meeting readout: format, times, duration, place, who."""

    format: str
    started_at_local: str | None
    started_at_jst: str | None
    duration_minutes: int | None
    location: str | None
    participants: tuple[Participant, ...]
    counterpart_country: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "started_at_local": self.started_at_local,
            "started_at_jst": self.started_at_jst,
            "duration_minutes": self.duration_minutes,
            "location": self.location,
            "participants": [p.to_dict() for p in self.participants],
            "counterpart_country": self.counterpart_country,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Meeting:
        return cls(
            format=data["format"],
            started_at_local=data.get("started_at_local"),
            started_at_jst=data.get("started_at_jst"),
            duration_minutes=data.get("duration_minutes"),
            location=data.get("location"),
            participants=tuple(
                Participant.from_dict(p) for p in data.get("participants", ())
            ),
            counterpart_country=data.get("counterpart_country"),
        )


@dataclass(frozen=True, slots=True)
class Exchange:
    """One turn of a press conference: who spoke and what they said."""

    speaker: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Exchange:
        return cls(speaker=data["speaker"], text=data["text"])


@dataclass(frozen=True, slots=True)
class Document:
    """One page of www.mofa.go.jp as content, without navigation or layout."""

    url: str
    doc_id: str
    language: str
    kind: str
    section: str | None
    title: str
    date: str | None
    body: tuple[str, ...]
    captions: tuple[str, ...]
    provisional_translation: bool
    placeholder: bool
    japanese_url: str | None
    english_url: str | None
    topics: tuple[str, ...]
    meeting: Meeting | None
    exchanges: tuple[Exchange, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists, not tuples) with DESIGN.md's key names."""
        return {
            "url": self.url,
            "doc_id": self.doc_id,
            "language": self.language,
            "kind": self.kind,
            "section": self.section,
            "title": self.title,
            "date": self.date,
            "body": list(self.body),
            "captions": list(self.captions),
            "provisional_translation": self.provisional_translation,
            "placeholder": self.placeholder,
            "japanese_url": self.japanese_url,
            "english_url": self.english_url,
            "topics": list(self.topics),
            "meeting": None if self.meeting is None else self.meeting.to_dict(),
            "exchanges": [e.to_dict() for e in self.exchanges],
        }

    def to_json(self) -> str:
        """Canonical JSON text: sorted keys, two-space indent, non-ASCII kept."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Document:
        """Rebuild a Document from `to_dict` output (or a stored version's JSON)."""
        meeting = data.get("meeting")
        return cls(
            url=data["url"],
            doc_id=data["doc_id"],
            language=data["language"],
            kind=data["kind"],
            section=data.get("section"),
            title=data["title"],
            date=data.get("date"),
            body=tuple(data.get("body", ())),
            captions=tuple(data.get("captions", ())),
            provisional_translation=bool(data.get("provisional_translation", False)),
            placeholder=bool(data.get("placeholder", False)),
            japanese_url=data.get("japanese_url"),
            english_url=data.get("english_url"),
            topics=tuple(data.get("topics", ())),
            meeting=None if meeting is None else Meeting.from_dict(meeting),
            exchanges=tuple(Exchange.from_dict(e) for e in data.get("exchanges", ())),
        )
