"""Read mofa index pages: which documents they list (with dates) and which archives.

Pure functions over HTML text; no Scrapy, no I/O.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from crawler.extract.dates import MONTHS, parse_date

logger = logging.getLogger(__name__)

PARSER = "lxml"

_MONTH_NUMBER = {name.lower(): i for i, name in enumerate(MONTHS, start=1)}
_MONTH_RE = "|".join(MONTHS)

# Id families from research/mofa-site.md 1.1-1.4; the folder does not tell the topic.
# English ids carry an "e" (press4e_, pressite_); Japanese ones drop it (press4_,
# pressit_, kaikenw_, pageit_).
DETAIL_PATH = re.compile(
    r"/(?P<doc_id>page\d*e?_\d{6}|pageite?_\d{6}_\d{5}|press\d*e?_\d{6}"
    r"|pressite?_\d{6}_\d{5}|kaiken\d*e?_\d{6}|kaikenwe?_\d{6}_\d{5}"
    r"|kaikenite?_\d{6}_\d{5})\.html$"
)
ARCHIVE_PATH = re.compile(
    r"/(?P<prefix>pc_)?(?P<year>\d{4})(?P<month>\d{2})_index\.html$"
)
# The Japanese edition names its monthly archives by the Reiwa year (令和R = 2018 + R).
# Its URLs are not known for certain (research/mofa-site.md 1.4): one scraper reads
# /mofaj/press/release/<R>_<M>_index.html. Assumed, tolerantly: that form anywhere
# under /mofaj/press/, the year optionally "r6" or "R6", months with or without a
# leading zero, and /kaiken/ in the path for press conferences. The year-folder form
# (/release/<YYYY>/<M>.html) is not followed: stored archives are known by their
# _index.html name, so it would be asked again, without validators, every cycle.
REIWA_OFFSET = 2018  # 令和1年 is 2019
ERA_ARCHIVE_PATH = re.compile(
    r"^/mofaj/press/(?:.+/)?[rR]?(?P<era>\d{1,2})_(?P<month>\d{1,2})_index\.html$"
)
_FULL_DATE = re.compile(
    rf"\((?P<month>{_MONTH_RE})\s+(?P<day>\d{{1,2}}),\s*(?P<year>\d{{4}})"
)
_MONTH_DAY = re.compile(rf"^\s*(?P<month>{_MONTH_RE})\s+(?P<day>\d{{1,2}})\s*$")
# Japanese index dates without a year: 「4月2日」, or followed by the weekday.
_JA_MONTH_DAY = re.compile(r"^\s*(?P<month>\d{1,2})月\s*(?P<day>\d{1,2})日")
# A dated Japanese link title ends in a date: 令和6年3月4日 or 2024年3月4日.
_JA_FULL_DATE = re.compile(r"(?:令和|平成)\s*(?:元|\d{1,2})年|\d{4}年")


@dataclass(frozen=True, slots=True)
class ListedDocument:
    """One detail link on an index page."""

    url: str
    doc_id: str
    title: str
    listed_on: date | None


@dataclass(frozen=True, slots=True)
class ArchiveLink:
    """A monthly archive page (press releases or press conferences)."""

    url: str
    year: int
    month: int
    is_conference: bool


@dataclass(frozen=True, slots=True)
class IndexPage:
    documents: tuple[ListedDocument, ...]
    archives: tuple[ArchiveLink, ...]


def canonical_url(href: str, page_url: str, base_url: str) -> str | None:
    """Absolute URL without fragment, or None when it points off the watched host."""
    absolute = urljoin(page_url, href.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https"):
        return None
    if parts.netloc.lower() != urlsplit(base_url).netloc.lower():
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def detail_doc_id(url: str) -> str | None:
    """The page id when `url` is a detail page of a known id family."""
    match = DETAIL_PATH.search(urlsplit(url).path)
    return match.group("doc_id") if match else None


def is_index_page(url: str) -> bool:
    """A list page (section entry page, monthly archive, statements list, any page
    outside the document id families) rather than a document.

    The crawl and replay both decide by this: list pages are stored as snapshots
    only, never as documents or versions.
    """
    return detail_doc_id(url) is None


def archive_link(url: str) -> ArchiveLink | None:
    """The month an archive page covers: YYYYMM_index.html, pc_YYYYMM_index.html, or
    the Japanese era-year form; None for any other page."""
    path = urlsplit(url).path
    if (match := ARCHIVE_PATH.search(path)) is not None:
        year, month = int(match.group("year")), int(match.group("month"))
        is_conference = match.group("prefix") is not None
    elif (match := ERA_ARCHIVE_PATH.match(path)) is not None:
        era, month = int(match.group("era")), int(match.group("month"))
        if era < 1:
            return None
        year, is_conference = REIWA_OFFSET + era, "/kaiken/" in path
    else:
        return None
    if not 1 <= month <= 12:
        return None
    return ArchiveLink(url=url, year=year, month=month, is_conference=is_conference)


def parse_index(html: str, page_url: str, *, base_url: str, today: date) -> IndexPage:
    """Every detail link and archive link on one index page, in page order.

    Dates without a year ("July 13") take the year of the archive month in the URL, or
    of `today` on the current index; a month after that reference month (December on
    January's index) belongs to the year before.
    """
    soup = BeautifulSoup(html, PARSER)
    archive = archive_link(page_url)
    ref_year, ref_month = (
        (archive.year, archive.month) if archive else (today.year, today.month)
    )
    documents: dict[str, ListedDocument] = {}
    archives: dict[str, ArchiveLink] = {}
    for anchor in soup.find_all("a", href=True):
        url = canonical_url(str(anchor["href"]), page_url, base_url)
        if url is None:
            continue
        if (found := archive_link(url)) is not None:
            archives.setdefault(url, found)
            continue
        doc_id = detail_doc_id(url)
        if doc_id is None or url in documents:
            continue
        title = " ".join(anchor.get_text(" ", strip=True).split())
        listed_on = (
            _full_date(title)
            or _ja_full_date(title)
            or _dt_date(anchor, ref_year, ref_month)
        )
        documents[url] = ListedDocument(url, doc_id, _strip_date(title), listed_on)
    return IndexPage(tuple(documents.values()), tuple(archives.values()))


def _full_date(text: str) -> date | None:
    matches = list(_FULL_DATE.finditer(text))
    if not matches:
        return None
    last = matches[-1]
    return _safe_date(
        int(last.group("year")),
        _MONTH_NUMBER[last.group("month").lower()],
        int(last.group("day")),
    )


def _strip_date(title: str) -> str:
    match = _FULL_DATE.search(title)
    return title[: match.start()].rstrip() if match and match.start() > 0 else title


def _dt_date(anchor: Tag, ref_year: int, ref_month: int) -> date | None:
    """Date from the dt.list-title that heads the dd holding this link."""
    dd = anchor.find_parent("dd")
    if dd is None:
        return None
    dt = dd.find_previous_sibling("dt")
    if dt is None:
        return None
    text = dt.get_text(" ", strip=True)
    match = _MONTH_DAY.match(text)
    if match is not None:
        month = _MONTH_NUMBER[match.group("month").lower()]
        return _year_inferred(ref_year, ref_month, month, int(match.group("day")))
    return _ja_dt_date(text, ref_year, ref_month)


def _ja_dt_date(text: str, ref_year: int, ref_month: int) -> date | None:
    """A Japanese dt: a full (era or western) date, or M月D日 with the year inferred."""
    normalized = unicodedata.normalize("NFKC", text)
    if (iso := parse_date(normalized)) is not None:
        return date.fromisoformat(iso)
    match = _JA_MONTH_DAY.match(normalized)
    if match is None:
        return None
    month = int(match.group("month"))
    return _year_inferred(ref_year, ref_month, month, int(match.group("day")))


def _ja_full_date(title: str) -> date | None:
    """The last dated parenthesis of a Japanese link title, era or western year."""
    normalized = unicodedata.normalize("NFKC", title)
    starts = [m.start() for m in _JA_FULL_DATE.finditer(normalized)]
    for start in reversed(starts):
        if (iso := parse_date(normalized[start:])) is not None:
            return date.fromisoformat(iso)
    return None


def _year_inferred(ref_year: int, ref_month: int, month: int, day: int) -> date | None:
    # A month after the reference month (December on January's index): the year before.
    year = ref_year - 1 if month > ref_month else ref_year
    return _safe_date(year, month, day)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        logger.warning("impossible date on index page: %s-%s-%s", year, month, day)
        return None
