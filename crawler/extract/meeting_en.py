"""Meeting facts of an English readout's lead paragraph.

Rules for Japan time (started_at_jst): an explicit "... Japan time" wins; a time
marked "local time" without Japan time gives None; otherwise, when the meeting is
in Japan (no place stated, or a place in Japan), the stated time is Japan time.
"""

from __future__ import annotations

import logging
import re

from crawler.extract.document import Meeting, Participant

logger = logging.getLogger(__name__)

# "9:10 am", "4:30 p.m.", "10 a.m."; the meridiem is optional only where a clock
# time has minutes ("from 9:30 to 10:15")
_MERIDIEM = r"([ap])\.?\s?m\b\.?"
_TIME = rf"(\d{{1,2}})(?::(\d{{2}}))?\s*{_MERIDIEM}"
_CLOCK = rf"(\d{{1,2}})(?::(\d{{2}})(?:\s*{_MERIDIEM})?|\s*{_MERIDIEM})"
_APPROX = r"(?:approximately|about|around|roughly|some|nearly|over|almost|just)\s+"
_START = re.compile(
    rf"\b(?:commencing|starting|beginning|from)\s+(?:at\s+|from\s+)?(?:{_APPROX})?{_TIME}",
    re.I,
)
_FROM_TO = re.compile(
    rf"\bfrom\s+(?:{_APPROX})?{_CLOCK}\s*(?:to|until|till|-|\u2013)\s*{_CLOCK}", re.I
)
_AT = re.compile(rf"\bat\s+(?:{_APPROX})?{_TIME}", re.I)
_ANY = re.compile(_TIME, re.I)
_JST = re.compile(rf"\(\s*local time[^)]*?{_TIME}[^)]*?Japan time", re.I)
_JST_DIRECT = re.compile(rf"{_TIME}\s*(?:\(\s*)?,?\s*Japan time", re.I)
_NUM = r"(\d+|an?|one|two|three|four|five|six)"
_FOR = rf"(?:\bfor\s+(?:{_APPROX})?|\blasting\s+(?:{_APPROX})?|\b{_APPROX})"
_HOURS = re.compile(
    rf"{_FOR}{_NUM}\s+hours?(?:\s+and\s+(?:{_APPROX})?(\d+)\s+minutes?)?", re.I
)
_MINUTES = re.compile(r"\b(\d+)(?:\s+|-)minutes?\b", re.I)
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
# "..., in Jakarta." / "..., in New York, the United States": a clause of its own
_IN_PLACE = re.compile(
    r",\s+in\s+(?P<place>[A-Z][\w.\-]*(?:\s[A-Z][\w.\-]*){0,3})(?=[,.](?:\s|$))"
)
# The look-ahead lets the engine skip every position that cannot start a person;
# without it the lazy role pattern is tried from each capital letter.
_HONORIFIC = (
    r"(?=(?:the\s+)?(?:Right\s+Honou?rable|Honou?rable|H\.E\.|His Ex|Her Ex|Mr\.|Ms\."
    r"|Mrs\.|Dr\.|Prof\.))"
    r"(?P<hon>(?:the\s+)?(?:Right\s+Honou?rable|Honou?rable|H\.E\.|His Excellency"
    r"|Her Excellency)\s+)?"
    r"(?P<title>(?:Mr|Ms|Mrs|Dr|Prof)\.\s+)?"
)
_NAME_PART = r"[A-Z][\w'\u2019\-]*\.?"
_PARTICLE = r"(?:von|van|der|den|de|da|di|du|del|la|le|bin|binti|al|el)\s+"
_SUFFIX = r"(?:,\s+(?:Jr|Sr)\.|\s+(?:II|III|IV)\b)?"
_PERSON = re.compile(
    _HONORIFIC
    + rf"(?P<name>{_NAME_PART}(?:\s+(?:{_PARTICLE})*{_NAME_PART}){{1,4}}{_SUFFIX}),\s+"
    r"(?P<role>[A-Z][^,;()]*?)"
    r"(?=,|;|\(|\.\s|\.$|$|\s+(?:who|held|during|at the|on the occasion)\b"
    r"|\s+and\s+(?:the\s+(?:Right\s+)?Hon|H\.E\.|Mr\.|Ms\.|Mrs\.|Dr\.))"
)
# "Prime Minister ODAGIRI Shoichi held ...", "President Ana Torres of the Argentine
# Republic": the role before the name, no comma between them
_ROLE_FIRST = re.compile(
    r"\b(?P<role>(?:(?:Prime|Foreign|Deputy Prime|Vice|State|Chief Cabinet|Deputy)\s+)?"
    r"(?:Minister|Secretary|President|Chancellor|Premier)"
    r"(?:\s+for\s+Foreign\s+Affairs)?)\s+"
    r"(?P<name>[A-Z]{2,}(?:\s+[A-Z][a-z'\-]+)+"
    r"|[A-Z][a-z'\-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'\-]+){1,2})"
    r"(?P<of>\s+of\s+(?:the\s+)?[A-Z][\w'\-]*(?:\s+(?:of\s+)?[A-Z][\w'\-]*)*)?"
    r"(?=,|\.|\s+(?:held|had|hosted|received|and|met|on|at|for|from|who|paid)\b)"
)
# cheap test for a role-first name before the full pattern runs
_ROLE_FIRST_HINT = re.compile(
    r"(?:Minister|Secretary|President|Chancellor|Premier)\s+[A-Z]"
)
_ROLE_WORDS = re.compile(
    r"\b(?:Minister|Secretary|President|Ambassador|Director|Chair\w*|Speaker|Governor"
    r"|Senator|King|Queen|Prince|Princess|Chief|Commissioner|Advis[eo]r|Representative"
    r"|Member|Leader|General|Envoy|Chancellor|Premier|Mayor|Head|Counsellor)\b"
)
_LEADER_ROLE = re.compile(
    r"^(?:Prime Minister|President|Chancellor|Premier|King|Queen|Emir|Sultan)\b"
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
    "Bolivarian", "People's", "People\u2019s", "Federative",
})  # fmt: skip
_JAPAN_PLACES = frozenset({
    "Japan", "Tokyo", "Osaka", "Kyoto", "Hiroshima", "Nagoya", "Yokohama", "Kobe",
    "Fukuoka", "Sapporo", "Okinawa", "Naha", "Sendai", "Nagasaki", "Karuizawa",
    "Ise-Shima", "Niigata", "Hakone", "Nikko",
})  # fmt: skip
_SUMMIT = {"meeting": "summit_meeting", "telephone_talk": "summit_telephone_talk"}


def parse_en(fmt: str, lead: str) -> Meeting:
    """The facts of an English lead paragraph of a readout of format `fmt`."""
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
    people = tuple(p for p, _ in participants)
    return Meeting(
        format=_SUMMIT.get(fmt, fmt) if _between_leaders(people) else fmt,
        started_at_local=local,
        started_at_jst=jst,
        duration_minutes=_duration(lead, local, end),
        location=location,
        participants=people,
        counterpart_country=country,
    )


def _between_leaders(people: tuple[Participant, ...]) -> bool:
    """Japan's Prime Minister with a head of state or government: a summit."""
    sides = {
        p.side for p in people if p.role is not None and _LEADER_ROLE.match(p.role)
    }
    return sides == {"japan", "counterpart"}


def _start_and_end(lead: str) -> tuple[str | None, str | None]:
    match = _FROM_TO.search(lead)
    if match is not None:
        h1, m1, half1, half1b, h2, m2, half2, half2b = match.groups()
        first, second = half1 or half1b, half2 or half2b
        end = _hhmm(h2, m2, second or first)
        start = _hhmm(h1, m1, first or second)
        if first is None and second is not None and start and end and start > end:
            start = _hhmm(h1, m1, "a" if second.lower() == "p" else "p")
        return start, end
    match = _START.search(lead) or _AT.search(lead) or _ANY.search(lead)
    return (_hhmm(*match.groups()[:3]), None) if match else (None, None)


def _hhmm(hour: str, minute: str | None, half: str | None) -> str | None:
    h = int(hour)
    if half is None:  # a 24-hour clock time ("from 9:30 to 10:15")
        return f"{h:02d}:{int(minute or 0):02d}" if h < 24 else None
    if not 1 <= h <= 12:
        return None
    h = h % 12 + (12 if half.lower() == "p" else 0)
    return f"{h:02d}:{int(minute or 0):02d}"


def _duration(lead: str, start: str | None, end: str | None) -> int | None:
    if start is not None and end is not None:
        minutes = _minutes_of(end) - _minutes_of(start)
        return minutes % (24 * 60)
    match = _HOURS.search(lead) if "hour" in lead else None
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
    """(participant, country of the role) in the order they are named."""
    matches = list(_PERSON.finditer(lead))
    found = _named_then_role(matches)
    names = {p.name for p, _ in found}
    spans = [m.span() for m in matches]
    role_first = _ROLE_FIRST.finditer(lead) if _ROLE_FIRST_HINT.search(lead) else ()
    for match in role_first:
        start = match.start()
        name = match.group("name")
        if name in names or any(a <= start < b for a, b in spans):
            continue
        role = match.group("role") + (match.group("of") or "")
        country = _country_of(role)
        japanese = country == "Japan" or (country is None and name.split()[0].isupper())
        side = "japan" if japanese else "counterpart"
        names.add(name)
        found.append((Participant(name=name, role=role, side=side), country))
    order = {p.name: lead.find(p.name) for p, _ in found}
    return sorted(found, key=lambda item: order[item[0].name])


def _named_then_role(
    matches: list[re.Match[str]],
) -> list[tuple[Participant, str | None]]:
    found: list[tuple[Participant, str | None]] = []
    names: set[str] = set()
    for match in matches:
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
