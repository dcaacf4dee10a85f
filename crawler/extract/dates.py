"""Dates of a page: a date-shaped line in English or Japanese, or a <time datetime>.

English: "July 29, 2022", "Monday, May 23, 2022, ...", "29 July 2022", "Jul. 29, 2022";
numeric, year first: "2022-07-29", "2022/7/29", "2022.07.29".
Japanese (after NFKC, so full-width digits count): "2024年7月28日", "令和6年7月28日",
"令和元年5月7日" (元年 is year 1 of an era; 令和 1 = 2019, 平成 1 = 1989).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_MONTHS = {name.lower(): number for number, name in enumerate(MONTHS, start=1)}
_MONTHS.update({name[:3]: number for name, number in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October"
    r"|November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
)
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
_EN_DATE = re.compile(
    rf"\(?{_WEEKDAY}{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE
)
_EN_DAY_FIRST = re.compile(
    rf"\(?{_WEEKDAY}(\d{{1,2}})\s+{_MONTH},?\s+(\d{{4}})\b", re.I
)
_JA_DATE = re.compile(
    r"[(\uff08]?\s*(?:(令和|平成)\s*(元|\d{1,2})|(\d{4}))年\s*(\d{1,2})月\s*(\d{1,2})日"
)
_ISO = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
_NUMERIC = re.compile(r"\(?(\d{4})([./-])(\d{1,2})\2(\d{1,2})(?!\d)")
ERA_START = {"令和": 2018, "平成": 1988}  # the year before each era's year 1


def parse_date(line: str) -> str | None:
    """ISO date of a date-shaped line ("July 29, 2022", "令和6年7月28日"), or None."""
    match = _EN_DATE.match(line)
    if match is not None:
        month, day, year = match.groups()
        return _iso(int(year), _month(month), int(day))
    match = _EN_DAY_FIRST.match(line)
    if match is not None:
        day, month, year = match.groups()
        return _iso(int(year), _month(month), int(day))
    match = _NUMERIC.match(line)
    if match is not None:
        year, _, month, day = match.groups()
        return _iso(int(year), int(month), int(day))
    if line.isascii():
        return None
    return _parse_ja(unicodedata.normalize("NFKC", line))


def parse_datetime_attribute(value: str) -> str | None:
    """ISO date of a <time datetime> value ("2024-07-28", "2024-07-28T10:00+09:00")."""
    match = _ISO.match(value)
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    return _iso(year, month, day)


def era_year(era: str, year: str) -> int:
    """Western year of a Japanese era year ("令和", "6" -> 2024; "元" is year 1)."""
    return ERA_START[era] + (1 if year == "元" else int(year))


def _parse_ja(line: str) -> str | None:
    match = _JA_DATE.match(line)
    if match is None:
        return None
    era, year_in_era, western, month, day = match.groups()
    year = era_year(era, year_in_era) if era else int(western)
    return _iso(year, int(month), int(day))


def _month(name: str) -> int:
    return _MONTHS[name.rstrip(".").lower()]


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
