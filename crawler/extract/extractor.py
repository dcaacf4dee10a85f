"""Turn one page of www.mofa.go.jp into a Document. Pure: no Scrapy, no I/O.

Parts are found by landmarks with fallbacks (research/mofa-site.md 2.2); a page
without a title or a content area raises ExtractionError naming what is missing.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from crawler.extract.dates import parse_date, parse_datetime_attribute
from crawler.extract.document import Document, DocumentKind, Exchange
from crawler.extract.encoding import decode_html
from crawler.extract.meeting import parse_exchanges, parse_meeting
from crawler.extract.report import ExtractionPath, ExtractionReport
from crawler.extract.structure import find_structure
from crawler.extract.text import HEADINGS, Block, Walk, find_landmarks, is_link_line
from crawler.extract.topics import find_topics

__all__ = [
    "EXTRACTOR_VERSION",
    "ExtractionError",
    "ExtractionPath",
    "ExtractionReport",
    "extract",
    "extract_with_report",
    "parse_date",
]

logger = logging.getLogger(__name__)

EXTRACTOR_VERSION = "2.0"
# one parser everywhere; html.parser builds different trees from broken markup
PARSER = "lxml"

PLACEHOLDER_TEXT = "the text will be coming soon."
_HEADER_WINDOW = 12  # section label, title, date and preamble sit in the first blocks
_TITLE_SUFFIX = re.compile(
    r"\s*[|\uff5c]\s*(?:Ministry of Foreign Affairs of Japan|外務省)\s*$", re.I
)
_DISCLAIMER = re.compile(r"provisional translation", re.I)
_VIDEO = re.compile(r"^[(\uff08]\s*(?:Video|動画)\s*[)\uff09]", re.I)
_JAPANESE_LINK = frozenset({"Japanese", "日本語", "Japanese version"})
_ENGLISH_LINK = frozenset({"English", "英語", "English version"})
_CONFERENCE_TITLE = re.compile(r"press conference|記者会見", re.I)


class ExtractionError(ValueError):
    """The page no longer has the shape this module expects (likely a redesign)."""


@dataclass(slots=True)
class _Header:
    title: str
    section: str | None
    date: str | None
    body_from: int
    consumed: set[int]


@dataclass(slots=True)
class _Preamble:
    """Lines before (or at the top of) the body that are not body: the video link,
    the provisional-translation disclaimer, links to the other language."""

    indices: set[int]
    japanese_url: str | None = None
    english_url: str | None = None
    provisional: bool = False


def extract(
    html: bytes | str, url: str, *, http_charset: str | None = None
) -> Document:
    """The Document of one page; raises ExtractionError on an unrecognizable page.

    A placeholder page (body only "The text will be coming soon.") gives
    placeholder=True and an empty body; any other page without body text raises.
    """
    return extract_with_report(html, url, http_charset=http_charset)[0]


def extract_with_report(
    html: bytes | str, url: str, *, http_charset: str | None = None
) -> tuple[Document, ExtractionReport]:
    """The Document of one page and how it was found (landmarks or structure)."""
    text = html if isinstance(html, str) else decode_html(html, http_charset)[0]
    if not _has_closing_tag(text):
        raise ExtractionError(f"{url}: page truncated (no </body> or </html>)")
    with warnings.catch_warnings():
        # bs4 warns about markup that looks like a file name or XML; a page is a page
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(text, PARSER)
    root = _root_element(soup)
    try:
        walk, report = _content(soup, root, url)
    except RecursionError:
        raise ExtractionError(f"{url}: markup nested too deeply") from None
    return _document(walk, soup, root, url), report


def _content(
    soup: BeautifulSoup, root: Tag | None, url: str
) -> tuple[Walk, ExtractionReport]:
    """Walk the landmark's content area; when there is none, or it holds only
    links, walk the area the structure pass finds."""
    landmarks = find_landmarks(soup)
    rejected = None
    if landmarks.container is not None:
        walk = Walk().run(landmarks.container)
        rejected = _rejection(walk)
        if rejected is None:
            path = ExtractionPath.LANDMARKS
            return walk, ExtractionReport(path, landmarks.container_name)
        rejected = f"{landmarks.container_name}: {rejected}"
    found = find_structure(soup, _fallback_title(soup, root))
    if found is None:
        if landmarks.container is not None:
            return walk, ExtractionReport(
                ExtractionPath.LANDMARKS, landmarks.container_name
            )
        raise ExtractionError(
            f"{url}: content area missing (div.any-area, #maincontents, main, "
            "or a title heading with paragraph text)"
        )
    walk = Walk(structural=True).run(found.container)
    report = ExtractionReport(ExtractionPath.STRUCTURE, found.container.name, rejected)
    return walk, report


def _rejection(walk: Walk) -> str | None:
    """Why a landmark's content is not the page's content, or None when it is."""
    if not walk.blocks:
        return "no text"
    if all(is_link_line(b) for b in walk.blocks):
        return "only links"
    return None


def _document(walk: Walk, soup: BeautifulSoup, root: Tag | None, url: str) -> Document:
    blocks = walk.blocks
    area_mode = any(b.in_area for b in blocks)
    preamble = _preamble(blocks, area_mode, url)
    has_h1 = any(b.tag == "h1" for b in blocks[:_HEADER_WINDOW])
    fallback = None if has_h1 else _fallback_title(soup, root)
    header = _header(blocks, preamble.indices, area_mode, fallback, url)
    # With div.any-area the body is the areas, plus what sits between two of them
    # (headings of consecutive main-sections); without, the whole content area.
    in_areas = [i for i, b in enumerate(blocks) if b.in_area] or [-1]
    first_area, last_area = in_areas[0], in_areas[-1]
    captions = set(walk.captions)
    body_blocks = [
        b
        for i, b in enumerate(blocks)
        if i >= header.body_from
        and i not in header.consumed
        and i not in preamble.indices
        and (not area_mode or first_area <= i <= last_area)
        and b.text not in captions  # text equal to an image's alt is its caption
    ]
    body = tuple(b.text for b in body_blocks)
    placeholder = len(body) == 1 and body[0].casefold() == PLACEHOLDER_TEXT
    if placeholder:
        body = ()
    elif not body:
        raise ExtractionError(f"{url}: no body text in the content area")
    path = urlsplit(url).path
    language = _language(path, root)
    kind = _kind(url, path)
    is_conference = kind == "press_conference" or bool(
        _CONFERENCE_TITLE.search(header.title)
    )
    meeting = None
    if kind in ("press_release", "page") and not is_conference:
        meeting = parse_meeting(header.title, body, language)
    exchanges: tuple[Exchange, ...] = ()
    if is_conference:
        exchanges = parse_exchanges(
            [b.text for b in body_blocks if b.tag not in HEADINGS]
        )
    return Document(
        url=url,
        doc_id=_doc_id(path),
        language=language,
        kind=kind,
        section=header.section,
        title=header.title,
        date=header.date,
        body=body,
        captions=tuple(walk.captions),
        provisional_translation=preamble.provisional,
        placeholder=placeholder,
        japanese_url=preamble.japanese_url,
        english_url=preamble.english_url,
        topics=find_topics("\n".join((header.title, *body))),
        meeting=meeting,
        exchanges=exchanges,
    )


def _preamble(blocks: list[Block], area_mode: bool, url: str) -> _Preamble:
    """Find preamble lines: near the top when the body has its own area, anywhere
    in the content otherwise."""
    found = _Preamble(set())
    for i, b in enumerate(blocks[:_HEADER_WINDOW] if area_mode else blocks):
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


def _has_closing_tag(text: str) -> bool:
    """Whether the last 8 KiB hold </html> or </body> (searched from the end)."""
    start = max(0, len(text) - 8192)
    if text.rfind("</html", start) != -1 or text.rfind("</body", start) != -1:
        return True
    lowered = text[start:].lower()
    return "</html" in lowered or "</body" in lowered


def _header(
    blocks: list[Block],
    preamble: set[int],
    area_mode: bool,
    fallback_title: str | None,
    url: str,
) -> _Header:
    """Find title, date and section label among the first blocks; say where the body
    starts. Short unlabelled lines before the title (or date) are the section label."""
    title_i = date_i = label_i = None
    date = None
    pending: list[int] = []
    body_from = 0
    for i, b in enumerate(blocks[:_HEADER_WINDOW]):
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
    return _Header(title, section, date, body_from, consumed)


def _block_date(block: Block) -> str | None:
    if block.when is not None and (found := parse_datetime_attribute(block.when)):
        return found
    return parse_date(block.text) if len(block.text) <= 120 else None


def _root_element(soup: BeautifulSoup) -> Tag | None:
    for node in soup.contents:
        if isinstance(node, Tag) and node.name == "html":
            return node
    return None


def _fallback_title(soup: BeautifulSoup, root: Tag | None) -> str | None:
    """og:title, then <title> without the site suffix (used when there is no <h1>)."""
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
                    return " ".join(content.split())
            elif node.name == "title" and title_text is None:
                title_text = node.get_text()
    if title_text is None:
        title_tag = soup.find("title") or soup.find("h1")
        title_text = title_tag.get_text() if isinstance(title_tag, Tag) else ""
    title = _TITLE_SUFFIX.sub("", " ".join(title_text.split()))
    return title or None


def _language(path: str, root: Tag | None) -> str:
    if "/mofaj/" in path or path.startswith("mofaj/"):
        return "ja"
    lang = root.get("lang") if root is not None else None
    return "ja" if isinstance(lang, str) and lang.lower().startswith("ja") else "en"


def _kind(url: str, path: str) -> str:
    if not url.startswith(("http://", "https://")):
        return DocumentKind.PAGE.value
    for marker, kind in (
        ("/press/release/", DocumentKind.PRESS_RELEASE),
        ("/press/kaiken/", DocumentKind.PRESS_CONFERENCE),
        ("/press/statement/", DocumentKind.STATEMENT),
    ):
        if marker in path:
            return kind.value
    return DocumentKind.PAGE.value


def _doc_id(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return stem or "index"
