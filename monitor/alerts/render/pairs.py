"""What the events of a Japanese-English pair say in an alert, and the pair's link.

`translated`: the English page of a known Japanese document appeared (lag in days).
`discrepancy`: the two versions state a meeting fact differently (values side by
side), or an edit resolved the disagreement. Labels stay in English; the Japanese
values and titles are shown as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.detect.diff import FieldChange, field_label, format_value

PAIR_HEADLINES = {
    "translated": "English version published",
    "discrepancy": "Versions disagree",
}
RESOLVED_HEADLINE = "Versions agree again"
# The label of the other version's link, in that version's language.
COUNTERPART_LABELS = {"en": "English version", "ja": "日本語版"}
_FACT_LABELS = {
    "started_at_local": "Start",
    "duration_minutes": "Duration",
    "location": "Place",
    "format": "Format",
    "participants": "Participants",
}


def is_pair_event(kind: str) -> bool:
    return kind in PAIR_HEADLINES


def pair_headline(kind: str, changes: Sequence[FieldChange]) -> str:
    if kind == "discrepancy" and changes and changes[0].op == "resolved":
        return RESOLVED_HEADLINE
    return PAIR_HEADLINES[kind]


def pair_note(kind: str, changes: Sequence[FieldChange]) -> str:
    """One line: the lag of a translation, or both values of each disagreement."""
    if kind == "translated":
        days = changes[0].new if changes else None
        when = "the same day" if days == 0 else f"{days} days after"
        if days == 1:
            when = "1 day after"
        suffix = " as" if days == 0 else ""
        return f"The English page appeared {when}{suffix} the Japanese page."
    sides = " · ".join(
        f"{_label(c.field)}: 日本語 {_value(c.field, c.old)} / "
        f"English {_value(c.field, c.new)}"
        for c in changes
    )
    if changes and changes[0].op == "resolved":
        return f"An edit resolved the disagreement (it was {sides})."
    return f"The Japanese and English versions disagree. {sides}"


def counterpart_fact(language: str, url: str, title: str | None) -> tuple[str, str]:
    """("English version" | "日本語版", "title — url") for a paired document."""
    label = COUNTERPART_LABELS.get(language, COUNTERPART_LABELS["en"])
    return label, f"{title} — {url}" if title else url


def with_counterpart(
    facts: tuple[tuple[str, str], ...],
    counterpart: tuple[str, str, str | None] | None,
) -> tuple[tuple[str, str], ...]:
    """The facts with the other version's link right after the date (kept in view)."""
    if counterpart is None:
        return facts
    labels = [label for label, _ in facts]
    at = labels.index("Date") + 1 if "Date" in labels else min(1, len(facts))
    return (*facts[:at], counterpart_fact(*counterpart), *facts[at:])


def _label(field: str) -> str:
    return _FACT_LABELS.get(field, field_label(field))


def _value(field: str, value: object) -> str:
    return format_value(field, value)
