"""Meeting facts from a readout's lead paragraph, and press-conference exchanges.

Rules for Japan time (started_at_jst): an explicit "... Japan time" wins; a time
marked "local time" without Japan time gives None; otherwise, when the meeting is
in Japan (no place stated, or a place in Japan), the stated time is Japan time.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence

from crawler.extract.document import Exchange, Meeting, Participant

logger = logging.getLogger(__name__)

_TIME = r"(\d{1,2})(?::(\d{2}))?\s*([ap])\.\s?m\.?"
_APPROX = r"(?:approximately|about|around|roughly|some|nearly|over|almost)\s+"
_START = re.compile(
    rf"\b(?:commencing|starting|beginning)\s+(?:at|from)\s+(?:{_APPROX})?{_TIME}", re.I
)
_FROM_TO = re.compile(
    rf"\bfrom\s+(?:{_APPROX})?{_TIME}\s+(?:to|until|till)\s+{_TIME}", re.I
)
_AT = re.compile(rf"\bat\s+(?:{_APPROX})?{_TIME}", re.I)
_JST = re.compile(rf"\(\s*local time[^)]*?{_TIME}[^)]*?Japan time", re.I)
_JST_DIRECT = re.compile(rf"{_TIME}\s*\(\s*Japan time\s*\)", re.I)
_NUM = r"(\d+|an?|one|two|three|four|five|six)"
_HOURS = re.compile(
    rf"\bfor\s+(?:{_APPROX})?{_NUM}\s+hours?(?:\s+and\s+(?:{_APPROX})?(\d+)\s+minutes?)?",
    re.I,
)
_MINUTES = re.compile(rf"\bfor\s+(?:{_APPROX})?(\d+)\s+minutes?", re.I)
_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
}
_LOCATION = re.compile(
    r"\b(?:who (?:is|was) (?:currently )?visiting|during (?:his|her|their) visit to"
    r"|on (?:his|her|their) visit to|(?:was|were) held in|took place in)\s+(?:the\s+)?"
    r"(?P<place>[A-Z][^,;()]*?)"
    r"(?=,|;|\(|\.\s|\.$|$|\s+(?:to|for|on|and|from|in order|where)\b)"
)
# The look-ahead lets the engine skip every position that cannot start a person;
# without it the lazy role pattern is tried from each capital letter.
# "..., in Jakarta." / "..., in New York, the United States": a clause of its own
_IN_PLACE = re.compile(
    r",\s+in\s+(?P<place>[A-Z][\w.\-]*(?:\s[A-Z][\w.\-]*){0,3})(?=[,.](?:\s|$))"
)
_HONORIFIC = (
    r"(?=(?:the\s+)?(?:Honou?rable|H\.E\.|His Ex|Her Ex|Mr\.|Ms\.|Mrs\.|Dr\.|Prof\.))"
    r"(?P<hon>(?:the\s+)?(?:Honou?rable|H\.E\.|His Excellency|Her Excellency)\s+)?"
    r"(?P<title>(?:Mr|Ms|Mrs|Dr|Prof)\.\s+)?"
)
_NAME_PART = r"[A-Z][\w'\u2019\-]*\.?"
_PARTICLE = r"(?:von|van|der|den|de|da|di|du|del|la|le|bin|binti|al|el)\s+"
_PERSON = re.compile(
    _HONORIFIC
    + rf"(?P<name>{_NAME_PART}(?:\s+(?:{_PARTICLE})*{_NAME_PART}){{1,4}}),\s+"
    r"(?P<role>[A-Z][^,;()]*?)"
    r"(?=,|;|\(|\.\s|\.$|$|\s+(?:who|held|during|at the|on the occasion)\b"
    r"|\s+and\s+(?:the\s+Hon|H\.E\.|Mr\.|Ms\.|Mrs\.|Dr\.))"
)
_ROLE_WORDS = re.compile(
    r"\b(?:Minister|Secretary|President|Ambassador|Director|Chair\w*|Speaker|Governor"
    r"|Senator|King|Queen|Prince|Princess|Chief|Commissioner|Advis[eo]r|Representative"
    r"|Member|Leader|General|Envoy|Chancellor|Premier|Mayor|Head|Counsellor)\b"
)
_NOT_COUNTRIES = frozenset({
    "State", "Foreign Affairs", "Defense", "Defence", "Finance", "Trade", "Commerce",
    "Economy", "Staff", "Treasury", "the Treasury", "Homeland Security", "Justice",
})  # fmt: skip
# First words of formal country names ("the Republic of ...", "the United ...").
_COUNTRY_WORDS = frozenset({
    "Republic", "Kingdom", "United", "Federal", "Commonwealth", "Democratic",
    "Islamic", "Socialist", "Sultanate", "Principality", "Grand", "Independent",
    "Plurinational", "Hashemite", "Federated", "Co-operative", "Oriental",
    "Bolivarian", "People's", "People\u2019s",
})  # fmt: skip
_JAPAN_PLACES = frozenset({
    "Japan", "Tokyo", "Osaka", "Kyoto", "Hiroshima", "Nagoya", "Yokohama", "Kobe",
    "Fukuoka", "Sapporo", "Okinawa", "Naha", "Sendai", "Nagasaki", "Karuizawa",
    "Ise-Shima", "Niigata", "Hakone", "Nikko",
})  # fmt: skip
_LEAD_WORDS = re.compile(
    r"\b(?:held|hold|received|paid|had|commencing|starting)\b|会談|会合|表敬|実施"
)
_SPEAKER = re.compile(
    r"(?P<speaker>[^:\uff1a]{1,80}?)\s*[:\uff1a]\s*(?P<text>\S.*)", re.S
)
_SPEAKER_SMALL_WORDS = frozenset({"of", "for", "the", "and", "to", "on", "de", "van"})

# JP readouts: 午後1時45分から約60分間 / (現地時間) / 日本時間同日午前3時
_JA_TIME = r"(午前|午後)(\d{1,2})時(?:(\d{1,2})分|(半))?"
_JA_START = re.compile(_JA_TIME)
_JA_JST = re.compile(r"日本時間[^、。\uff09)]*?" + _JA_TIME)
_JA_HOURS = re.compile(r"約?(\d+)時間(?:(\d+)分)?")
_JA_MINUTES = re.compile(r"約?(\d+)分間")


def meeting_format(title: str) -> str | None:
    """The readout format named by a title, or None when it is no readout."""
    t = title.casefold()
    if "press conference" in t or "記者会見" in t:
        return None
    rules = (
        ("summit_telephone_talk", ("summit telephone", "leaders' telephone",
                                   "首脳電話会談", "電話首脳会談")),
        ("telephone_talk", ("telephone", "phone call", "電話会談")),
        ("video_conference", ("video", "videoconference", "テレビ会議", "テレビ会談")),
        ("courtesy_call", ("courtesy call", "表敬")),
        ("working_lunch", ("working lunch", "luncheon", "ワーキング・ランチ", "昼食")),
        ("dinner", ("dinner", "夕食")),
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
        return _parse_ja(fmt, unicodedata.normalize("NFKC", lead))
    return _parse_en(fmt, lead)


def _parse_en(fmt: str, lead: str) -> Meeting:
    local, end = _start_and_end(lead)
    location = _location(lead)
    jst_match = _JST.search(lead) or _JST_DIRECT.search(lead)
    if jst_match is not None:
        jst = _hhmm(*jst_match.groups()[:3])
    elif "local time" in lead.casefold():
        jst = None
    elif location is None or location in _JAPAN_PLACES or location.endswith("Japan"):
        jst = local
    else:
        jst = None
    participants = _participants(lead)
    country = next(
        (c for p, c in participants if p.side == "counterpart" and c is not None), None
    )
    return Meeting(
        format=fmt,
        started_at_local=local,
        started_at_jst=jst,
        duration_minutes=_duration(lead, local, end),
        location=location,
        participants=tuple(p for p, _ in participants),
        counterpart_country=country,
    )


def _start_and_end(lead: str) -> tuple[str | None, str | None]:
    match = _FROM_TO.search(lead)
    if match is not None:
        g = match.groups()
        return _hhmm(*g[:3]), _hhmm(*g[3:6])
    match = _START.search(lead) or _AT.search(lead)
    return (_hhmm(*match.groups()[:3]), None) if match else (None, None)


def _hhmm(hour: str, minute: str | None, half: str) -> str | None:
    h = int(hour)
    if not 1 <= h <= 12:
        return None
    h = h % 12 + (12 if half.lower() == "p" else 0)
    return f"{h:02d}:{int(minute or 0):02d}"


def _duration(lead: str, start: str | None, end: str | None) -> int | None:
    if start is not None and end is not None:
        minutes = _minutes_of(end) - _minutes_of(start)
        return minutes % (24 * 60)
    match = _HOURS.search(lead)
    if match is not None:
        count = match.group(1).lower()
        hours = int(count) if count.isdigit() else _WORDS[count]
        return hours * 60 + int(match.group(2) or 0)
    match = _MINUTES.search(lead)
    return int(match.group(1)) if match else None


def _minutes_of(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def _location(lead: str) -> str | None:
    match = _LOCATION.search(lead) or _IN_PLACE.search(lead)
    return match.group("place").strip() if match else None


def _participants(lead: str) -> list[tuple[Participant, str | None]]:
    found: list[tuple[Participant, str | None]] = []
    names: set[str] = set()
    for match in _PERSON.finditer(lead):
        hon, title, name, role = match.group("hon", "title", "name", "role")
        if not (hon or title) or name in names or not _ROLE_WORDS.search(role):
            continue
        role = role.strip()
        country = _country_of(role)
        if country == "Japan":
            side = "japan"
        elif country is None and not hon and name.split()[0].isupper():
            side = "japan"  # "Mr. SURNAME Given" with no country: a Japanese official
        else:
            side = "counterpart"
        names.add(name)
        found.append((Participant(name=name, role=role, side=side), country))
    return found


def _country_of(role: str) -> str | None:
    """The country a role belongs to: the first "of ..." tail that looks like one
    ("Secretary of State of the United States of America" -> "United States of
    America", "Minister for Foreign Affairs of Japan" -> "Japan")."""
    rest = role
    while " of " in rest:
        rest = rest.split(" of ", 1)[1]
        candidate = rest[4:] if rest.startswith("the ") else rest
        first = candidate.split(" ", 1)[0]
        if first in _COUNTRY_WORDS or (
            " of " not in candidate
            and candidate not in _NOT_COUNTRIES
            and candidate[:1].isupper()
        ):
            return candidate
    return None


def _parse_ja(fmt: str, lead: str) -> Meeting:
    match = _JA_START.search(lead)
    local = _ja_hhmm(*match.groups()) if match else None
    jst_match = _JA_JST.search(lead)
    if jst_match is not None:
        jst = _ja_hhmm(*jst_match.groups())
    else:
        jst = None if "現地時間" in lead else local
    hours = _JA_HOURS.search(lead)
    if hours is not None:
        duration: int | None = int(hours.group(1)) * 60 + int(hours.group(2) or 0)
    else:
        minutes = _JA_MINUTES.search(lead)
        duration = int(minutes.group(1)) if minutes else None
    return Meeting(fmt, local, jst, duration, None, (), None)


def _ja_hhmm(ampm: str, hour: str, minute: str | None, half: str | None) -> str | None:
    h = int(hour)
    if h > 12:
        return None
    h = h % 12 + (12 if ampm == "午後" else 0)
    return f"{h:02d}:{30 if half else int(minute or 0):02d}"


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
