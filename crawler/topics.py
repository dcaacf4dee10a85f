"""Topic tags of a Document: a fixed, ordered table of labels and their spellings."""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

TOPIC_TABLE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("North Korea", ("North Korea", "DPRK", "北朝鮮")),
    ("China", ("China", "Chinese", "中国")),
    ("Taiwan", ("Taiwan", "台湾")),
    ("Ukraine", ("Ukraine", "ウクライナ")),
    ("Russia", ("Russia", "Russian", "ロシア")),
    ("TPP", ("TPP", "CPTPP", "Trans-Pacific Partnership")),
    ("IPEF", ("IPEF", "Indo-Pacific Economic Framework")),
    ("ROK", ("ROK", "Republic of Korea", "South Korea", "韓国")),
    ("Indo-Pacific", ("Indo-Pacific", "インド太平洋")),
    ("G7", ("G7", "G-7")),
    ("Myanmar", ("Myanmar", "ミャンマー")),
    ("Economic 2+2", ("Economic 2+2", "Economic “2+2", 'Economic "2+2', "経済版2+2")),
    ("ASEAN", ("ASEAN",)),
    ("Middle East", ("Middle East", "Gaza", "中東")),
    ("Abductions", ("abductions issue", "abduction issue", "拉致問題")),
    ("Nuclear Disarmament", ("nuclear disarmament", "non-proliferation", "核軍縮")),
)
"""Topic label -> spellings that signal it, in output order.

A spelling matches on word boundaries (so "ROK" does not match "BROKE" and
"China" does not match "Chinatown"), case-sensitively for acronyms and names;
Japanese spellings match anywhere. "Republic of Korea" is ROK, never North Korea
(the North Korea spellings require "North"). A Document lists each label once,
in this table's order, when any spelling occurs in its title or body.
"""


def _compile(spellings: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for spelling in spellings:
        escaped = re.escape(spelling)
        if spelling.isascii() and spelling[-1].isalnum():
            parts.append(rf"(?<!\w){escaped}(?!\w)")
        elif spelling.isascii():
            parts.append(rf"(?<!\w){escaped}")
        else:
            parts.append(escaped)
    return re.compile("|".join(parts))


_COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, _compile(spellings)) for label, spellings in TOPIC_TABLE
)


def find_topics(text: str) -> tuple[str, ...]:
    """Labels of TOPIC_TABLE whose spellings occur in `text`, in table order."""
    return tuple(label for label, pattern in _COMPILED if pattern.search(text))
