"""What a Document says in an alert: facts as (label, value) pairs, a summary, and a
one-line count of its changes. Shared by every layout and by the Atom feed."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from monitor.detect.diff import ELLIPSIS, FieldChange, field_label, format_value

logger = logging.getLogger(__name__)

SUMMARY_CHARS = 320
# A paragraph that reads as text, not a heading ("Opening Remarks", "(1) Visit to
# ..."): it ends a sentence, or it is long.
_SENTENCE_END = re.compile(r"[.!?\u3002][\"'\u2019\u201d)]*$")
_REAL_PARAGRAPH_WORDS = 12
# A family name printed in capitals: "Mr. SAKURADA Kenji" is "Minister Sakurada".
_FAMILY_NAME = re.compile(r"\b[A-Z][A-Z'\-]{1,}\b")

DOC_KIND_LABELS = {
    "press_release": "press release",
    "press_conference": "press conference",
    "statement": "statement",
    "page": "page",
}

# Fields whose changes are counted item by item in the lead line (plural nouns).
COUNTED_FIELDS = {
    "participants": "participants",
    "topics": "topics",
    "body": "paragraphs",
    "captions": "captions",
    "exchanges": "exchanges",
}


def document_facts(
    content: Mapping[str, Any], doc_kind: str
) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs in the order users read them; empty values are left out."""
    meeting = content.get("meeting") or {}
    facts: list[tuple[str, str | None]] = [
        ("Type", _type_label(content, doc_kind)),
        ("Date", format_date(content.get("date"))),
        *_sides(meeting.get("participants") or ()),
        ("Start", _start(meeting)),
        ("Duration", _maybe("duration_minutes", meeting.get("duration_minutes"))),
        ("Location", meeting.get("location")),
        ("Format", _maybe("format", meeting.get("format"))),
        ("Country", meeting.get("counterpart_country")),
        ("Speakers", _speakers(content.get("exchanges") or ())),
        ("Topics", ", ".join(content.get("topics") or ()) or None),
        ("Section", content.get("section")),
    ]
    return tuple((label, str(value)) for label, value in facts if value)


def change_summary(changes: Sequence[FieldChange]) -> str | None:
    """'1 participant added · 2 paragraphs changed' in first-seen order."""
    counts: dict[tuple[str, str], int] = {}
    for change in changes:
        key = (change.field, change.op)
        counts[key] = counts.get(key, 0) + 1
    parts = []
    for (field, op), count in counts.items():
        label = field_label(field).lower()
        if field in COUNTED_FIELDS:
            noun = label if count == 1 else COUNTED_FIELDS[field]
            parts.append(f"{count} {noun} {op}")
        else:
            parts.append(f"{label} {op}")
    return " · ".join(parts) or None


def document_summary(content: Mapping[str, Any]) -> str | None:
    """The first paragraph (or exchange), trimmed at a word boundary."""
    body = [str(paragraph) for paragraph in content.get("body") or ()]
    exchanges = content.get("exchanges") or ()
    if body:
        first = next((p for p in body if _is_real_paragraph(p)), body[0])
    elif exchanges:
        first = format_value("exchanges", exchanges[0])
    elif content.get("placeholder"):
        return "The text will be coming soon."
    else:
        return None
    return trim(" ".join(first.split()), SUMMARY_CHARS)


def _is_real_paragraph(text: str) -> bool:
    text = text.strip()
    return (
        bool(_SENTENCE_END.search(text)) or len(text.split()) >= _REAL_PARAGRAPH_WORDS
    )


def trim(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, ending in '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + ELLIPSIS


def format_date(value: Any) -> str | None:
    """ISO '2022-07-29' -> '29 July 2022'; anything else as it is."""
    return format_value("date", value) if value else None


def _type_label(content: Mapping[str, Any], doc_kind: str) -> str:
    kind = str(content.get("kind") or doc_kind)
    label = DOC_KIND_LABELS.get(kind, kind.replace("_", " "))
    if content.get("meeting"):
        return "Meeting readout" if kind == "page" else f"Meeting readout ({label})"
    return label.capitalize()


def _sides(participants: Sequence[Mapping[str, Any]]) -> list[tuple[str, str | None]]:
    by_side: dict[str, list[str]] = {"japan": [], "counterpart": []}
    for person in participants:
        name = str(person.get("name") or "")
        role = person.get("role")
        entry = f"{name}, {role}" if role else name
        by_side.setdefault(str(person.get("side") or "counterpart"), []).append(entry)
    return [
        (
            "Japan" if side == "japan" else side.replace("_", " ").capitalize(),
            "; ".join(names) or None,
        )
        for side, names in by_side.items()
    ]


def _start(meeting: Mapping[str, Any]) -> str | None:
    local, jst = meeting.get("started_at_local"), meeting.get("started_at_jst")
    if local and jst and local != jst:
        return f"{local} local time ({jst} Japan time)"
    if jst:
        return f"{jst} Japan time"
    return f"{local} local time" if local else None


def _speakers(exchanges: Sequence[Mapping[str, Any]]) -> str | None:
    """Each speaker once, as first named ("Minister Sakurada" is the same person
    as "Mr. SAKURADA Kenji, Minister for Foreign Affairs")."""
    names: list[str] = []
    families: set[str] = set()
    for exchange in exchanges:
        speaker = " ".join(str(exchange.get("speaker") or "").split())
        if not speaker or speaker in names:
            continue
        words = {w.lower() for w in re.findall(r"[\w'-]+", speaker.split(",")[0])}
        if words & families:
            continue
        names.append(speaker)
        families |= {m.lower() for m in _FAMILY_NAME.findall(speaker.split(",")[0])}
    return "; ".join(names) or None


def _maybe(field: str, value: Any) -> str | None:
    return format_value(field, value) if value is not None else None
