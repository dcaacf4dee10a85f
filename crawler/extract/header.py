"""The header of a page's content: title, date, section label, and the preamble
lines (video link, provisional-translation disclaimer, other-language links) that
sit before the body but are not body.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from crawler.extract.dates import parse_date, parse_datetime_attribute
from crawler.extract.errors import ExtractionError
from crawler.extract.structure import Structure
from crawler.extract.text import Block

logger = logging.getLogger(__name__)

HEADER_WINDOW = 12  # section label, title, date and preamble sit in the first blocks
_SITE_NAME = r"(?:Ministry of Foreign Affairs of Japan|外務省)"
_TITLE_SUFFIX = re.compile(rf"\s*[|\uff5c]\s*{_SITE_NAME}\s*$", re.I)
_ONLY_SITE_NAME = re.compile(rf"^{_SITE_NAME}$", re.I)
_TITLE_TAGS = frozenset({"h2", "h3"})
_DISCLAIMER = re.compile(r"provisional translation", re.I)
_VIDEO = re.compile(r"^[(\uff08]\s*(?:Video|動画)\s*[)\uff09]", re.I)
_JAPANESE_LINK = frozenset({"Japanese", "日本語", "Japanese version"})
_ENGLISH_LINK = frozenset({"English", "英語", "English version"})


@dataclass(slots=True)
class Header:
    title: str
    section: str | None
    date: str | None
    body_from: int
    consumed: set[int]


@dataclass(slots=True)
class Preamble:
    """Lines before (or at the top of) the body that are not body: the video link,
    the provisional-translation disclaimer, links to the other language."""

    indices: set[int]
    japanese_url: str | None = None
    english_url: str | None = None
    provisional: bool = False


def find_preamble(blocks: list[Block], area_mode: bool, url: str) -> Preamble:
    """Find preamble lines: near the top when the body has its own area, anywhere
    in the content otherwise."""
    found = Preamble(set())
    for i, b in enumerate(blocks[:HEADER_WINDOW] if area_mode else blocks):
        if b.href and b.text in _JAPANESE_LINK:
            found.japanese_url = found.japanese_url or urljoin(url, b.href)
        elif b.href and b.text in _ENGLISH_LINK:
            found.english_url = found.english_url or urljoin(url, b.href)
        elif len(b.text) <= 250 and _DISCLAIMER.search(b.text):
            found.provisional = True
        elif not _VIDEO.match(b.text):
            continue
        found.indices.add(i)
    return found


def find_header(
    blocks: list[Block],
    preamble: set[int],
    area_mode: bool,
    fallback_title: str | None,
    url: str,
) -> Header:
    """Find title, date and section label among the first blocks; say where the body
    starts. Short unlabelled lines before the title (or date) are the section label."""
    title_i = date_i = label_i = None
    date = None
    pending: list[int] = []
    body_from = 0
    for i, b in enumerate(blocks[:HEADER_WINDOW]):
        if i in preamble:
            continue
        if b.tag == "h1" and title_i is None:
            title_i = body_from = i + 1
        elif date_i is None and (found := _block_date(b)):
            date, date_i, body_from = found, i + 1, i + 1
        elif b.is_label and label_i is None:
            label_i = i + 1
        elif title_i is None and b.text == fallback_title:
            title_i = body_from = i + 1
        elif area_mode and b.in_area:
            break
        elif len(b.text) <= 100 and b.tag != "li" and not b.text.endswith("."):
            pending.append(i)
        else:
            break
    # indices above are stored +1 so that 0 means "not found"
    consumed = {i - 1 for i in (title_i, date_i, label_i) if i}
    if title_i:
        title = blocks[title_i - 1].text
    elif fallback_title:
        title = fallback_title
    else:
        raise ExtractionError(f"{url}: title missing (no <h1>, og:title or <title>)")
    section = blocks[label_i - 1].text if label_i else None
    anchor = (title_i or date_i or 0) - 1
    before = [i for i in pending if i < anchor]
    if section is None and before:
        section = blocks[before[-1]].text
    consumed.update(i for i in pending if i < body_from)
    return Header(title, section, date, body_from, consumed)


def _block_date(block: Block) -> str | None:
    if block.when is not None and (found := parse_datetime_attribute(block.when)):
        return found
    return parse_date(block.text) if len(block.text) <= 120 else None


def root_element(soup: BeautifulSoup) -> Tag | None:
    for node in soup.contents:
        if isinstance(node, Tag) and node.name == "html":
            return node
    return None


def fallback_title(soup: BeautifulSoup, root: Tag | None) -> str | None:
    """og:title, then <title> without the site suffix (used when there is no <h1>);
    None when they hold only the site's name."""
    head = None
    if root is not None:
        head = next(
            (n for n in root.contents if isinstance(n, Tag) and n.name == "head"), None
        )
    title_text = None
    if head is not None:
        for node in head.contents:
            if not isinstance(node, Tag):
                continue
            if node.name == "meta" and node.get("property") == "og:title":
                content = node.get("content")
                if isinstance(content, str) and content.strip():
                    og_title = " ".join(content.split())
                    if not _ONLY_SITE_NAME.match(og_title):
                        return og_title
            elif node.name == "title" and title_text is None:
                title_text = node.get_text()
    if title_text is None:
        title_tag = soup.find("title") or soup.find("h1")
        title_text = title_tag.get_text() if isinstance(title_tag, Tag) else ""
    title = _TITLE_SUFFIX.sub("", " ".join(title_text.split()))
    return None if not title or _ONLY_SITE_NAME.match(title) else title


def structure_title(
    found: Structure, title_text: str | None
) -> tuple[str | None, bool]:
    """The title to look for, and whether the page needs a date line to count as a
    document: read by structure with a title only in <head>, or (no title in
    <head>) only in a bold line or an <h2>, a page without a date line is an error
    or notice page."""
    if found.title is None:
        return title_text, True
    if title_text is None:
        heading = " ".join(found.title.get_text().split())
        return heading, found.title.name != "h1"
    return title_text, False


def first_heading(blocks: list[Block]) -> str | None:
    """Without <h1>, og:title or <title>: the first <h2> or <h3> at the top."""
    return next((b.text for b in blocks[:HEADER_WINDOW] if b.tag in _TITLE_TAGS), None)
