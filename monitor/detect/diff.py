"""Field-level differences between two versions of a Document, and their text form.

Pure functions over Document dicts (the JSON of DESIGN.md "Document"); no I/O.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from typing import Any, Self

from storage.normalize import normalize_document, normalize_text

logger = logging.getLogger(__name__)

# Order in which fields are compared and shown: the facts first, the text last.
SCALAR_FIELDS = (
    "title",
    "date",
    "section",
    "kind",
    "placeholder",
    "provisional_translation",
)
MEETING_FIELDS = (
    "format",
    "started_at_local",
    "started_at_jst",
    "duration_minutes",
    "location",
    "counterpart_country",
)
# "4. " at the start of a paragraph: the item's number in its list.
_NUMBERED = re.compile(r"^\d{1,3}\.\s+")
# Paired paragraphs less similar than this are shown as removed + added, not changed.
MIN_CHANGED_RATIO = 0.35


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One difference: a field (or one item of a list field) added, removed or changed.

    `words` is set for changed paragraphs and exchanges: ("=", "+", "-") runs of words.
    """

    field: str
    op: str
    old: Any
    new: Any
    words: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in changes.diff."""
        return {
            "field": self.field,
            "op": self.op,
            "old": _plain(self.old),
            "new": _plain(self.new),
            "words": [[op, text] for op, text in self.words],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        words = tuple((str(op), str(text)) for op, text in data.get("words") or ())
        return cls(
            field=str(data["field"]),
            op=str(data["op"]),
            old=data.get("old"),
            new=data.get("new"),
            words=words,
        )


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Every field-level difference from `old` to `new`, whitespace and quotes aside."""
    if normalize_document(old) == normalize_document(new):
        return []
    changes: list[FieldChange] = []
    for name in SCALAR_FIELDS:
        changes.extend(_scalar(name, old.get(name), new.get(name)))
    changes.extend(_meeting(old.get("meeting"), new.get("meeting")))
    changes.extend(_items("topics", old.get("topics") or (), new.get("topics") or ()))
    changes.extend(_body(old.get("body") or (), new.get("body") or ()))
    changes.extend(
        _items("captions", old.get("captions") or (), new.get("captions") or ())
    )
    changes.extend(
        _sequence(
            "exchanges",
            old.get("exchanges") or (),
            new.get("exchanges") or (),
            _same_text,
        )
    )
    return changes


def normalize_value(value: Any) -> Any:
    """`value` normalized by the storage rules (strings, and lists/dicts of them)."""
    return normalize_document({"value": value})["value"]


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """("=", "+", "-") runs turning `old` into `new`, word by word."""
    old_words, new_words = old.split(), new.split()
    matcher = SequenceMatcher(
        None,
        [normalize_text(w) for w in old_words],
        [normalize_text(w) for w in new_words],
        autojunk=False,
    )
    runs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append_run(runs, "=", new_words[j1:j2])
            continue
        _append_run(runs, "-", old_words[i1:i2])
        _append_run(runs, "+", new_words[j1:j2])
    return tuple(runs)


def _append_run(runs: list[tuple[str, str]], op: str, words: Sequence[str]) -> None:
    if not words:
        return
    text = " ".join(words)
    if runs and runs[-1][0] == op:
        runs[-1] = (op, runs[-1][1] + " " + text)
    else:
        runs.append((op, text))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _body(old: Sequence[str], new: Sequence[str]) -> list[FieldChange]:
    """Paragraph changes; a list renumbered by an added or removed item is not one.

    Only when nothing else in the body changed are renumbered items reported.
    """
    changes = _sequence("body", old, new, _unnumbered)
    if changes:
        return [c for c in changes if not _only_renumbered(c)]
    return _sequence("body", old, new, _same_text)


def _unnumbered(value: Any) -> str:
    return _NUMBERED.sub("", _same_text(value))


def _only_renumbered(change: FieldChange) -> bool:
    if change.op != "changed":
        return False
    return _unnumbered(change.old) == _unnumbered(change.new)


def _same_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return normalize_text(
            f"{value.get('speaker') or ''}: {value.get('text') or ''}"
        )
    return normalize_text(str(value))


def _scalar(name: str, old: Any, new: Any) -> list[FieldChange]:
    if normalize_value(old) == normalize_value(new):
        return []
    if old is None:
        return [FieldChange(name, "added", None, new)]
    if new is None:
        return [FieldChange(name, "removed", old, None)]
    return [FieldChange(name, "changed", old, new)]


def _meeting(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[FieldChange]:
    old, new = old or {}, new or {}
    changes: list[FieldChange] = []
    for name in MEETING_FIELDS:
        changes.extend(_scalar(name, old.get(name), new.get(name)))
    changes.extend(
        _participants(old.get("participants") or (), new.get("participants") or ())
    )
    return changes


def _participants(
    old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]
) -> list[FieldChange]:
    old_by = {normalize_text(str(p.get("name") or "")): p for p in old}
    new_by = {normalize_text(str(p.get("name") or "")): p for p in new}
    changes: list[FieldChange] = []
    for key, person in old_by.items():
        if key not in new_by:
            changes.append(FieldChange("participants", "removed", dict(person), None))
        elif normalize_value(person) != normalize_value(new_by[key]):
            changes.append(
                FieldChange("participants", "changed", dict(person), dict(new_by[key]))
            )
    changes.extend(
        FieldChange("participants", "added", None, dict(person))
        for key, person in new_by.items()
        if key not in old_by
    )
    return changes


def _items(name: str, old: Iterable[str], new: Iterable[str]) -> list[FieldChange]:
    old_list = [item for item in old if normalize_text(item)]
    new_list = [item for item in new if normalize_text(item)]
    old_keys = {normalize_text(item) for item in old_list}
    new_keys = {normalize_text(item) for item in new_list}
    removed = [
        FieldChange(name, "removed", item, None)
        for item in old_list
        if normalize_text(item) not in new_keys
    ]
    added = [
        FieldChange(name, "added", None, item)
        for item in new_list
        if normalize_text(item) not in old_keys
    ]
    return removed + added


def _sequence(
    name: str, old: Sequence[Any], new: Sequence[Any], key: Callable[[Any], str]
) -> list[FieldChange]:
    old = [item for item in old if key(item)]  # blank paragraphs are markup
    new = [item for item in new if key(item)]
    old_keys, new_keys = [key(item) for item in old], [key(item) for item in new]
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    changes: list[FieldChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changes.extend(
            _block(name, old[i1:i2], new[j1:j2], old_keys[i1:i2], new_keys[j1:j2])
        )
    return changes


def _block(
    name: str,
    old: Sequence[Any],
    new: Sequence[Any],
    old_keys: Sequence[str],
    new_keys: Sequence[str],
) -> list[FieldChange]:
    """Pair one replaced block's items in order; unpaired ones are added/removed."""
    changes: list[FieldChange] = []
    for index in range(max(len(old), len(new))):
        before = old[index] if index < len(old) else None
        after = new[index] if index < len(new) else None
        if before is not None and after is not None:
            ratio = SequenceMatcher(
                None, old_keys[index].split(), new_keys[index].split(), autojunk=False
            ).ratio()
            if ratio >= MIN_CHANGED_RATIO:
                changes.append(
                    FieldChange(
                        name,
                        "changed",
                        _plain(before),
                        _plain(after),
                        word_diff(_text(before), _text(after)),
                    )
                )
                continue
        if before is not None:
            changes.append(FieldChange(name, "removed", _plain(before), None))
        if after is not None:
            changes.append(FieldChange(name, "added", None, _plain(after)))
    return changes


def _text(item: Any) -> str:
    if isinstance(item, Mapping):
        return f"{item.get('speaker') or ''}: {item.get('text') or ''}"
    return str(item)


FIELD_LABELS = {
    "title": "Title",
    "date": "Date",
    "section": "Section",
    "kind": "Kind",
    "placeholder": "Placeholder",
    "provisional_translation": "Provisional translation",
    "format": "Meeting format",
    "started_at_local": "Start (local time)",
    "started_at_jst": "Start (Japan time)",
    "duration_minutes": "Duration",
    "location": "Location",
    "counterpart_country": "Counterpart country",
    "participants": "Participant",
    "topics": "Topic",
    "body": "Paragraph",
    "captions": "Caption",
    "exchanges": "Exchange",
    "meeting": "Meeting",
}
SIDE_LABELS = {"japan": "Japan", "counterpart": "counterpart"}
# Words of unchanged text kept on each side of a change in an excerpt.
EXCERPT_CONTEXT = 12
ELLIPSIS = "\u2026"


def field_label(field: str) -> str:
    """Human label of a FieldChange.field."""
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def change_heading(change: FieldChange) -> str:
    """'Title changed', 'Participant added', 'Paragraph removed'."""
    return f"{field_label(change.field)} {change.op}"


def format_value(field: str, value: Any) -> str:
    """One value of a field as people read it."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field == "duration_minutes":
        return f"{value} min"
    if field == "date":
        return _human_date(str(value))
    if field == "format":
        return str(value).replace("_", " ").capitalize()
    if field == "participants" and isinstance(value, Mapping):
        return format_participant(value)
    if field == "exchanges" and isinstance(value, Mapping):
        return f"{value.get('speaker') or ''}: {value.get('text') or ''}"
    return str(value)


def format_participant(person: Mapping[str, Any]) -> str:
    """'HAYASHI Yoshimasa (Minister for Foreign Affairs of Japan; Japan)'."""
    details = [str(person[key]) for key in ("role",) if person.get(key)]
    side = person.get("side")
    if side:
        details.append(SIDE_LABELS.get(str(side), str(side)))
    name = str(person.get("name") or "")
    return f"{name} ({'; '.join(details)})" if details else name


def excerpt(
    words: Sequence[tuple[str, str]], context: int = EXCERPT_CONTEXT
) -> tuple[tuple[str, str], ...]:
    """The runs with unchanged stretches cut to `context` words around changes."""
    out: list[tuple[str, str]] = []
    last = len(words) - 1
    for index, (op, text) in enumerate(words):
        if op != "=":
            out.append((op, text))
            continue
        tokens = text.split()
        keep_head = context if index > 0 else 0
        keep_tail = context if index < last else 0
        if len(tokens) <= keep_head + keep_tail + 1:
            out.append((op, text))
            continue
        head, tail = tokens[:keep_head], tokens[len(tokens) - keep_tail :]
        pieces = [" ".join(head), ELLIPSIS, " ".join(tail)]
        out.append((op, " ".join(piece for piece in pieces if piece)))
    return tuple(out)


def inline_words(words: Sequence[tuple[str, str]]) -> str:
    """Runs as one line: unchanged text, [-removed-] and {+added+}."""
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    return " ".join(marks.get(op, "{}").format(text) for op, text in words)


def render_diff_text(changes: Iterable[FieldChange]) -> str:
    """Plain text of the changes: a heading per change, '- old' / '+ new' lines."""
    lines: list[str] = []
    for change in changes:
        lines.append(change_heading(change))
        if change.words:
            lines.append("  " + inline_words(excerpt(change.words)))
            continue
        if change.old is not None:
            lines.append("  - " + format_value(change.field, change.old))
        if change.new is not None:
            lines.append("  + " + format_value(change.field, change.new))
    return "\n".join(lines)


def _human_date(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"
