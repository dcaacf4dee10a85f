"""Monthly archive pages of the Japanese edition, named by the era year.

The Japanese archive URLs are not known for certain (research/mofa-site.md 1.4):
one scraper reads `/mofaj/press/release/<R>_<M>_index.html`, R the Reiwa year
(令和R = 2018 + R), and also `/release/<YYYY>/<M>.html`. Assumed, tolerantly: the
era-year form anywhere under /mofaj/press/, the era year optionally written "r6"
or "R6", months with or without a leading zero, and `/kaiken/` in the path for
press conferences. The year-folder form is not followed: the plan knows stored
archives by their `_index.html` name, so it would be asked again, without
validators, every cycle. The English YYYYMM forms are crawler.extract.listing's.

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
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def archive_of(url: str) -> listing.ArchiveLink | None:
    """The month an archive page of either edition covers; None for other pages."""
    return listing.archive_link(url) or japanese_archive(url)


def japanese_archive(url: str) -> listing.ArchiveLink | None:
    """The month of a Japanese era-year archive URL, or None."""
    path = urlsplit(url).path
    match = _ERA_ARCHIVE.match(path)
    if match is None:
        return None
    era, month = int(match.group("era")), int(match.group("month"))
    if era < 1 or not 1 <= month <= 12:
        return None
    return listing.ArchiveLink(
        url=url,
        year=REIWA_OFFSET + era,
        month=month,
        is_conference="/kaiken/" in path,
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
