"""Meeting facts from a readout's lead paragraph, and press-conference exchanges.

The format comes from the title; the facts from the first paragraph that reads as
a readout's lead, in English (meeting_en) or Japanese (meeting_ja).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence

from crawler.extract.document import Exchange, Meeting
from crawler.extract.meeting_en import parse_en
from crawler.extract.meeting_ja import parse_ja

logger = logging.getLogger(__name__)

_LEAD_WORDS = re.compile(
    r"\b(?:held|hold|received|paid|had|hosted|commencing|starting)\b"
    r"|会談|会合|表敬|実施|電話|テレビ会議|昼食|夕食|行い|受け"
)
_SPEAKER = re.compile(
    r"(?P<speaker>[^:\uff1a]{1,80}?)\s*[:\uff1a]\s*(?P<text>\S.*)", re.S
)
_SPEAKER_SMALL_WORDS = frozenset({"of", "for", "the", "and", "to", "on", "de", "van"})


def meeting_format(title: str) -> str | None:
    """The readout format named by a title, or None when it is no readout."""
    t = title.casefold()
    if "press conference" in t or "記者会見" in t:
        return None
    rules = (
        ("summit_telephone_talk", ("summit telephone", "leaders' telephone",
                                   "首脳電話会談", "電話首脳会談")),
        ("telephone_talk", ("telephone", "phone call", "conference call", "電話会談")),
        ("video_conference", ("video", "videoconference", "テレビ会議", "テレビ会談")),
        ("courtesy_call", ("courtesy call", "表敬")),
        ("working_lunch", ("working lunch", "luncheon", "ワーキング・ランチ", "昼食")),
        ("dinner", ("dinner", "夕食", "ワーキング・ディナー")),
        ("summit_meeting", ("summit meeting", "首脳会談")),
        ("meeting", ("meeting", "talks", "会談", "会合")),
        ("other", (" call", "breakfast", "reception", "dialogue")),
    )  # fmt: skip
    for name, needles in rules:
        if any(n in t for n in needles):
            return name
    return None


def parse_meeting(title: str, body: Sequence[str], language: str) -> Meeting | None:
    """Meeting facts of a readout, or None when the page is not one."""
    fmt = meeting_format(title.replace("\u2019", "'"))
    if fmt is None:
        return None
    lead = next((line for line in body if _LEAD_WORDS.search(line)), None)
    if lead is None:
        return None
    if language == "ja":
        return parse_ja(fmt, unicodedata.normalize("NFKC", lead))
    return parse_en(fmt, lead)


def parse_exchanges(paragraphs: Sequence[str]) -> tuple[Exchange, ...]:
    """(speaker, text) turns from "Speaker: text" paragraphs; a paragraph without a
    speaker continues the previous turn (joined with a newline)."""
    turns: list[list[str]] = []
    for line in paragraphs:
        match = _SPEAKER.fullmatch(line)
        if match is not None and _looks_like_speaker(match.group("speaker")):
            turns.append([match.group("speaker").strip(), match.group("text")])
        elif turns:
            turns[-1][1] += "\n" + line
    return tuple(Exchange(speaker=s, text=t) for s, t in turns)


def _looks_like_speaker(speaker: str) -> bool:
    if not speaker or speaker[0] in "(\uff080123456789" or "。" in speaker:
        return False
    if not speaker.isascii():
        return len(speaker) <= 30
    words = speaker.replace(",", " ").split()
    if not 1 <= len(words) <= 10 or not words[0][0].isupper():
        return False
    return all(w[0].isupper() or w in _SPEAKER_SMALL_WORDS for w in words)
