"""Generate a large simulated www.mofa.go.jp: N documents over M monthly archives.

Deterministic from `seed`; every person and country in the generated text is invented.
"""

from __future__ import annotations

import calendar
import html
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

logger = logging.getLogger(__name__)

KAIKEN_SHARE = 20  # one document in 20 is a press-conference transcript
US_SHARE = 25  # one in 25 is a Japan-U.S. relations page

_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | Ministry of Foreign Affairs of Japan</title>
<meta property="og:title" content="{title}">
<meta property="og:url" content="https://www.mofa.go.jp{path}">
</head>
<body>
<div id="header">
<p class="skip"><a href="#maincontents">Skip to main content</a></p>
<ul class="header-link"><li><a href="/faq/index.html">FAQ</a></li><li><a href="/sitemap/index.html">Site Map</a></li><li><a href="/link/index.html">Links</a></li></ul>
</div>
<div id="gnavi"><ul><li><a href="/policy/index.html">Foreign Policy</a></li><li><a href="/region/index.html">Countries &amp; Regions</a></li><li><a href="/press/index.html">Press Releases</a></li><li><a href="/about/index.html">About Us</a></li></ul></div>
<div id="contents">
<div id="maincontents">
"""  # noqa: E501

_FOOT = """</div>
</div>
<p class="pagetop"><a href="#header">Page Top</a></p>
<div id="footer">
<ul><li><a href="/about/legalmatters.html">Legal Matters</a></li><li><a href="/about/accessibility.html">Accessibility</a></li><li><a href="/about/privacy.html">Privacy Policy</a></li><li><a href="/about/site.html">About this Site</a></li></ul>
<address>Ministry of Foreign Affairs of Japan 2-2-1 Kasumigaseki, Chiyoda-ku, Tokyo 100-8919, Japan</address>
<p class="copyright">Copyright &copy; Ministry of Foreign Affairs of Japan</p>
</div>
</body>
</html>
"""  # noqa: E501

_COUNTRIES = (
    "Aurelia", "Borvania", "Castria", "Delmora", "Estovia", "Falkenreach",
    "Galdoria", "Hesperia", "Ilvaria", "Kestrelia", "Lunaria", "Marovia",
)  # fmt: skip
_GIVEN = ("Tomas", "Alina", "Marek", "Selene", "Oskar", "Petra", "Ruben", "Ilse")
_FAMILY = ("Elvander", "Quorrin", "Vastell", "Brennic", "Holloway", "Marchetti")
_JAPAN_SIDE = (
    "Mr. KIRISHIMA Daichi, Minister for Foreign Affairs of Japan",
    "Ms. OTOWA Rin, State Minister for Foreign Affairs",
    "Mr. HANAZONO Kei, Parliamentary Vice-Minister for Foreign Affairs",
)
_RELEASE_TITLES = (
    "Japan-{c} Foreign Ministers\u2019 Meeting",
    "Japan-{c} Foreign Ministers\u2019 Telephone Talk",
    "Visit to Japan by the Minister of Foreign Affairs of {c}",
    "Emergency Grant Aid in Response to the Floods in {c}",
    "Exchange of Notes concerning Grant Aid to {c}",
    "Signing of the Japan-{c} Agreement on Cultural Exchange",
)
_POINTS = (
    "The two sides confirmed that the relationship between Japan and {c} has "
    "developed steadily, and concurred to deepen cooperation in a wide range of "
    "fields.",
    "The two sides exchanged views on regional affairs and concurred to continue "
    "close communication.",
    "The two sides welcomed the progress of economic cooperation, including trade "
    "and investment, and concurred to promote further exchanges between business "
    "communities.",
    "The two sides concurred to strengthen people-to-people exchanges, including "
    "youth and cultural exchanges.",
    "The two sides shared the view on the importance of a free and open "
    "international order based on the rule of law.",
    "The two sides concurred to cooperate closely in international fora, including "
    "the United Nations.",
    "The Japanese side expressed its intention to support capacity building in {c} "
    "in the field of disaster risk reduction.",
)


@dataclass(frozen=True, slots=True)
class GeneratedSite:
    """What generate_site wrote: URL paths of the index and detail pages, months."""

    root: Path
    index_paths: list[str]
    detail_paths: list[str]
    months: list[str]  # "YYYYMM", oldest first; the newest is the current index
    dates: dict[str, date] = field(default_factory=dict)  # detail path -> its date


@dataclass(frozen=True, slots=True)
class _Entry:
    path: str
    title: str
    day: date


_Render = Callable[[random.Random, str, date, int], tuple[str, str]]


def generate_site(
    root: Path,
    *,
    documents: int,
    months: int,
    end_month: str = "2026-10",
    seed: int = 0,
) -> GeneratedSite:
    """Write `documents` detail pages over `months` monthly archives under root."""
    if documents < 0 or months < 1:
        raise ValueError("documents must be >= 0 and months >= 1")
    rng = random.Random(seed)
    month_list = _month_list(end_month, months)
    n_kaiken, n_us = documents // KAIKEN_SHARE, documents // US_SHARE
    n_release = documents - n_kaiken - n_us
    pages: dict[str, str] = {"/robots.txt": "User-agent: *\nAllow: /\n"}
    releases = _spread(rng, month_list, n_release)
    kaikens = _spread(rng, month_list, n_kaiken)
    us_days = sorted(_spread(rng, month_list, n_us))
    release_entries = _detail_pages(
        pages, releases, "/press/release/pressite_000001_{:05d}.html", rng, _release
    )
    kaiken_entries = _detail_pages(
        pages, kaikens, "/press/kaiken/kaikenite_000001_{:05d}.html", rng, _kaiken
    )
    us_entries = _detail_pages(
        pages, us_days, "/na/na1/us/pageite_000001_{:05d}.html", rng, _us_page
    )
    index_paths = _release_indexes(pages, release_entries, month_list)
    index_paths += _kaiken_indexes(pages, kaiken_entries, month_list)
    index_paths.append(_us_index(pages, us_entries))
    for path, text in pages.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    entries = release_entries + kaiken_entries + us_entries
    logger.debug("generated %d pages under %s", len(pages), root)
    return GeneratedSite(
        root=root,
        index_paths=index_paths,
        detail_paths=[e.path for e in entries],
        months=month_list,
        dates={e.path: e.day for e in entries},
    )


def _month_list(end_month: str, count: int) -> list[str]:
    year, month = (int(part) for part in end_month.split("-"))
    index = year * 12 + month - 1 - (count - 1)
    return [f"{i // 12:04d}{i % 12 + 1:02d}" for i in range(index, index + count)]


def _spread(rng: random.Random, months: list[str], count: int) -> list[date]:
    """Dates for `count` documents spread evenly over the months, oldest first."""
    days = []
    for i in range(count):
        ym = months[i * len(months) // count]
        year, month = int(ym[:4]), int(ym[4:])
        last = calendar.monthrange(year, month)[1]
        days.append(date(year, month, rng.randint(1, last)))
    return sorted(days)


def _detail_pages(
    pages: dict[str, str],
    days: list[date],
    pattern: str,
    rng: random.Random,
    render: _Render,
) -> list[_Entry]:
    entries = []
    for number, day in enumerate(days, start=1):
        path = pattern.format(number)
        title, text = render(rng, path, day, number)
        pages[path] = text
        entries.append(_Entry(path, title, day))
    return entries


def _long_date(day: date) -> str:
    return f"{calendar.month_name[day.month]} {day.day}, {day.year}"


def _short_date(day: date) -> str:
    return f"{calendar.month_name[day.month]} {day.day}"


def _month_name(ym: str) -> str:
    return f"{calendar.month_name[int(ym[4:])]} {ym[:4]}"


def _clock(rng: random.Random) -> str:
    hour, minute = rng.randint(9, 18), rng.randint(0, 59)
    return f"{(hour - 1) % 12 + 1}:{minute:02d} {'a.m.' if hour < 12 else 'p.m.'}"


def _counterpart(rng: random.Random, country: str) -> str:
    name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
    return f"H.E. {name}, Minister of Foreign Affairs of {country}"


def _body(rng: random.Random, lead: str, country: str) -> str:
    points = rng.sample(_POINTS, rng.randint(3, 5))
    items = "".join(f"<li>{p.format(c=country)}</li>\n" for p in points)
    return f'<p>{lead}</p>\n<ol class="decimal">\n{items}</ol>\n'


def _photo(rng: random.Random, title: str, number: int) -> str:
    if rng.random() >= 0.3:
        return ""
    title = html.escape(title, quote=True)
    return (
        '<div class="photo-area">\n<div class="photo">'
        f'<img src="/files/{number:09d}.jpg" alt="{title}" width="280"></div>\n'
        f'<p class="caption">(Photo) {title}</p>\n</div>\n'
    )


def _detail(
    path: str,
    title: str,
    section: str,
    date_line: str,
    extra: str,
    body: str,
    back: tuple[str, str],
) -> str:
    esc = html.escape(title, quote=True)
    return (
        _HEAD.format(title=esc, path=path)
        + f'<p class="title-sub">{section}</p>\n<h1 class="title1">{esc}</h1>\n'
        + date_line
        + extra
        + f'<div class="main-section section">\n<div class="any-area">\n{body}'
        + "</div>\n</div>\n"
        + f'<p class="back"><a href="{back[0]}">Back to {back[1]}</a></p>\n'
        + _FOOT
    )


def _release(rng: random.Random, path: str, day: date, number: int) -> tuple[str, str]:
    country = rng.choice(_COUNTRIES)
    title = rng.choice(_RELEASE_TITLES).format(c=country)
    lead = (
        f"On {_short_date(day)}, commencing at {_clock(rng)}, for approximately "
        f"{rng.randrange(15, 90, 5)} minutes, {rng.choice(_JAPAN_SIDE)}, held a "
        f"meeting with {_counterpart(rng, country)}. The overview is as follows."
    )
    text = _detail(
        path,
        title,
        "Press Releases",
        f'<div class="rightalign">{_long_date(day)}</div>\n',
        _photo(rng, title, number),
        _body(rng, lead, country),
        ("/press/release/index.html", "Press Releases"),
    )
    return title, text


def _kaiken(rng: random.Random, path: str, day: date, number: int) -> tuple[str, str]:
    title = "Press Conference by Foreign Minister KIRISHIMA Daichi"
    when = f"{_long_date(day)}, {_clock(rng)}"
    weekday = calendar.day_name[day.weekday()]
    paragraphs = [
        "Minister Kirishima: I have nothing to announce today.",
        f"Reporter: Could you tell us about the outcome of the talks with {rng.choice(_COUNTRIES)}?",  # noqa: E501
        "Minister Kirishima: The talks were candid and productive. "
        + rng.choice(_POINTS).format(c=rng.choice(_COUNTRIES)),
    ]
    preamble = (
        "<p>This is a provisional translation by an external company for reference"
        " purpose only.</p>\n"
    )
    text = _detail(
        path,
        title,
        "Press Conferences",
        f"<h3>{weekday}, {when} Ministry of Foreign Affairs</h3>\n",
        preamble,
        "".join(f"<p>{p}</p>\n" for p in paragraphs),
        ("/press/kaiken/index.html", "Press Conferences"),
    )
    return f"{title} ({when})", text


def _us_page(rng: random.Random, path: str, day: date, number: int) -> tuple[str, str]:
    title = rng.choice(
        (
            "Japan-U.S. Foreign Ministers\u2019 Meeting",
            "Japan-U.S. Vice-Ministerial Dialogue",
            "Japan-U.S. Economic Policy Consultation",
        )
    )
    name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
    lead = (
        f"On {_short_date(day)}, {rng.choice(_JAPAN_SIDE)}, held a meeting with the "
        f"Honorable {name}, Secretary of State of the United States of America."
    )
    text = _detail(
        path,
        title,
        "Japan-United States of America Relations",
        f'<div class="rightalign">{_long_date(day)}</div>\n',
        _photo(rng, title, number),
        _body(rng, lead, "the United States"),
        ("/na/na1/us/index.html", "Japan-United States of America Relations"),
    )
    return f"{title} ({_long_date(day)})", text


def _link(entry: _Entry) -> str:
    return (
        f'<li><a href="{entry.path}">{html.escape(entry.title, quote=False)}</a></li>'
    )


def _dated_list(entries: list[_Entry]) -> str:
    """dl.title-list grouped by day, newest day first."""
    by_day: dict[date, list[_Entry]] = {}
    for entry in sorted(entries, key=lambda e: (e.day, e.path), reverse=True):
        by_day.setdefault(entry.day, []).append(entry)
    parts = ['<dl class="title-list">\n']
    for day, group in by_day.items():
        links = "".join(_link(e) for e in group)
        parts.append(f'<dt class="list-title">{_short_date(day)}</dt>\n')
        parts.append(f'<dd><ul class="link-list">{links}</ul></dd>\n')
    parts.append("</dl>\n")
    return "".join(parts)


def _archives(paths: list[tuple[str, str]]) -> str:
    links = "".join(f'<li><a href="{p}">{_month_name(ym)}</a></li>' for p, ym in paths)
    return f'<h2 class="title2">Archives</h2>\n<ul class="link-list">{links}</ul>\n'


def _index_page(path: str, title: str, content: str) -> str:
    return (
        _HEAD.format(title=title, path=path)
        + f'<h1 class="title1">{title}</h1>\n'
        + content
        + _FOOT
    )


def _by_month(entries: list[_Entry], ym: str) -> list[_Entry]:
    return [e for e in entries if f"{e.day.year:04d}{e.day.month:02d}" == ym]


def _release_indexes(
    pages: dict[str, str], entries: list[_Entry], months: list[str]
) -> list[str]:
    older = [(f"/press/release/{ym}_index.html", ym) for ym in reversed(months[:-1])]
    current = "/press/release/index.html"
    pages[current] = _index_page(
        current,
        "Press Releases",
        _dated_list(_by_month(entries, months[-1])) + _archives(older),
    )
    for path, ym in older:
        title = f"Press Releases Archive {_month_name(ym)}"
        pages[path] = _index_page(path, title, _dated_list(_by_month(entries, ym)))
    return [current] + [p for p, _ in older]


def _kaiken_list(entries: list[_Entry]) -> str:
    items = "".join(
        f'<dt><a href="{e.path}">{html.escape(e.title, quote=False)}</a></dt><dd></dd>'
        "\n"
        for e in sorted(entries, key=lambda e: (e.day, e.path), reverse=True)
    )
    return f'<div id="contents-body">\n<dl class="title-list">\n{items}</dl>\n</div>\n'


def _kaiken_indexes(
    pages: dict[str, str], entries: list[_Entry], months: list[str]
) -> list[str]:
    older = [(f"/press/kaiken/pc_{ym}_index.html", ym) for ym in reversed(months[:-1])]
    current = "/press/kaiken/index.html"
    pages[current] = _index_page(
        current,
        "Press Conferences",
        _kaiken_list(_by_month(entries, months[-1])) + _archives(older),
    )
    for path, ym in older:
        title = f"Press Conferences Archive {_month_name(ym)}"
        pages[path] = _index_page(path, title, _kaiken_list(_by_month(entries, ym)))
    return [current] + [p for p, _ in older]


def _us_index(pages: dict[str, str], entries: list[_Entry]) -> str:
    path = "/na/na1/us/index.html"
    links = "".join(
        _link(e) for e in sorted(entries, key=lambda e: e.day, reverse=True)
    )
    content = f'<h2 class="title2">Meetings</h2>\n<ul class="link-list">{links}</ul>\n'
    pages[path] = _index_page(path, "Japan-United States of America Relations", content)
    return path
