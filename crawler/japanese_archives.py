"""Monthly archive pages of the Japanese edition, named by the era year.

The Japanese archive URLs are not known for certain (research/mofa-site.md 1.4):
one scraper reads `/mofaj/press/release/<R>_<M>_index.html`, R the Reiwa year
(令和R = 2018 + R), and also `/release/<YYYY>/<M>.html`. Assumed, tolerantly:
both forms anywhere under /mofaj/press/, the era year optionally written "r6" or
"R6", months with or without a leading zero, and `/kaiken/` in the path for press
conferences. The English YYYYMM forms are crawler.extract.listing's.

Pure functions over URLs and HTML text; no Scrapy, no I/O.
"""

from __future__ import annotations

import html as html_text
import re
from urllib.parse import urlsplit

from crawler.extract import listing

REIWA_OFFSET = 2018  # 令和1年 is 2019
_ERA_ARCHIVE = re.compile(
    r"^/mofaj/press/(?:.+/)?[rR]?(?P<era>\d{1,2})_(?P<month>\d{1,2})_index\.html$"
)
_YEAR_FOLDER = re.compile(
    r"^/mofaj/press/(?:.+/)?(?P<year>(?:19|20)\d{2})/(?P<month>\d{1,2})\.html$"
)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def archive_of(url: str) -> listing.ArchiveLink | None:
    """The month an archive page of either edition covers; None for other pages."""
    return listing.archive_link(url) or japanese_archive(url)


def japanese_archive(url: str) -> listing.ArchiveLink | None:
    """The month of a Japanese archive URL (era-year or year-folder form), or None."""
    path = urlsplit(url).path
    if (match := _ERA_ARCHIVE.match(path)) is not None:
        era = int(match.group("era"))
        year = REIWA_OFFSET + era if era >= 1 else 0
    elif (match := _YEAR_FOLDER.match(path)) is not None:
        year = int(match.group("year"))
    else:
        return None
    month = int(match.group("month"))
    if not year or not 1 <= month <= 12:
        return None
    return listing.ArchiveLink(
        url=url, year=year, month=month, is_conference="/kaiken/" in path
    )


def japanese_archives(
    html: str, page_url: str, base_url: str
) -> tuple[listing.ArchiveLink, ...]:
    """The Japanese archive pages an index page links to, in page order, once each."""
    found: dict[str, listing.ArchiveLink] = {}
    for match in _HREF.finditer(html):
        href = html_text.unescape(match.group(1) or match.group(2) or "")
        url = listing.canonical_url(href, page_url, base_url)
        if url is not None and (link := japanese_archive(url)) is not None:
            found.setdefault(url, link)
    return tuple(found.values())
