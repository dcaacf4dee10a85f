"""Topic tags of a Document: a fixed, ordered table of labels and their spellings."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

TOPIC_TABLE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("North Korea", ("North Korea", "DPRK", "北朝鮮", "朝鮮民主主義人民共和国")),
    ("China", ("China", "Chinese", "中国", "中華人民共和国")),
    ("Taiwan", ("Taiwan", "台湾")),
    ("Ukraine", ("Ukraine", "ウクライナ")),
    ("Russia", ("Russia", "Russian", "ロシア")),
    ("TPP", ("TPP", "CPTPP", "Trans-Pacific Partnership", "環太平洋パートナーシップ")),
    ("IPEF", ("IPEF", "Indo-Pacific Economic Framework", "インド太平洋経済枠組み")),
    ("ROK", ("ROK", "Republic of Korea", "South Korea", "韓国", "大韓民国")),
    ("Indo-Pacific", ("Indo-Pacific", "インド太平洋")),
    ("G7", ("G7", "G-7")),
    ("Myanmar", ("Myanmar", "ミャンマー")),
    (
        "Economic 2+2",
        ("Economic 2+2", "Economic “2+2", 'Economic "2+2', "経済版2+2", "経済版「2+2"),
    ),
    ("ASEAN", ("ASEAN",)),
    ("Middle East", ("Middle East", "Gaza", "中東", "ガザ")),
    ("Abductions", ("abductions issue", "abduction issue", "拉致問題", "拉致被害者")),
    (
        "Nuclear Disarmament",
        ("nuclear disarmament", "non-proliferation", "核軍縮", "核不拡散"),
    ),
)
"""Topic label -> spellings that signal it, in output order.

A Latin spelling matches on ASCII word boundaries (so "ROK" does not match "BROKE" and
"China" does not match "Chinatown"), case-sensitively for acronyms and names; Japanese
spellings match anywhere. A Japanese page's text is NFKC-normalised first, so full-width
Latin letters and digits count as their ASCII forms ("TPP", "G7"). Labels are the same
in both languages, so one rule selects Japanese and English documents alike. "Republic
of Korea" is ROK, never North Korea (the North Korea spellings require "North"). A
Document lists each label once, in this table's order, when any spelling occurs in its
title or body.
"""


def _is_word_char(text: str, index: int) -> bool:
    if not 0 <= index < len(text):
        return False
    char = text[index]
    return char.isascii() and (char.isalnum() or char == "_")


def _occurs(text: str, spelling: str) -> bool:
    """Whether `spelling` occurs in `text`, on ASCII word boundaries when Latin.

    str.find rather than a regex: an alternation behind a look-behind defeats the
    regex engine's literal search and cost more than the rest of extraction.
    """
    latin = spelling.isascii()
    check_end = latin and spelling[-1].isalnum()
    start = text.find(spelling)
    while start != -1:
        end = start + len(spelling)
        if not latin or (
            not _is_word_char(text, start - 1)
            and not (check_end and _is_word_char(text, end))
        ):
            return True
        start = text.find(spelling, start + 1)
    return False


class _Spellings:
    """Matcher of one topic's spellings (what `find_topics` asks each label)."""

    __slots__ = ("spellings",)

    def __init__(self, spellings: tuple[str, ...]) -> None:
        self.spellings = spellings

    def search(self, text: str) -> bool:
        for spelling in self.spellings:
            # `in` first: most spellings are absent and it costs no Python call
            if spelling in text and _occurs(text, spelling):
                return True
        return False


def _build(
    table: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[str, _Spellings], ...]:
    return tuple((label, _Spellings(spellings)) for label, spellings in table)


_COMPILED = _build(TOPIC_TABLE)
_COMPILED_FROM = TOPIC_TABLE


def find_topics(text: str) -> tuple[str, ...]:
    """Labels of TOPIC_TABLE whose spellings occur in `text`, in table order.

    A TOPIC_TABLE replaced at run time (tests, an extractor upgrade) takes effect.
    """
    matchers = _COMPILED if TOPIC_TABLE is _COMPILED_FROM else _build(TOPIC_TABLE)
    return tuple(label for label, matcher in matchers if matcher.search(text))
