"""Turn one page of www.mofa.go.jp into a Document. Pure: no Scrapy, no I/O.

The content area is found by landmarks first (landmarks.py: the template we know,
research/mofa-site.md 2.2) and by structure when no landmark holds it or the one
found holds only links (structure.py); the ExtractionReport says which. Site
furniture is left out on both paths (boilerplate.py). A page without a title or a
content area raises ExtractionError naming what is missing; so does a page read by
structure whose title is only in <head> and which has no date line (an error page).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
import warnings
from collections.abc import Callable
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from crawler.extract.dates import parse_date
from crawler.extract.document import Document, DocumentKind, Exchange, Meeting
from crawler.extract.encoding import decode_html
from crawler.extract.errors import ExtractionError
from crawler.extract.header import (
    HEADER_WINDOW,
    Header,
    fallback_title,
    find_header,
    find_preamble,
    first_heading,
    root_element,
    structure_title,
)
from crawler.extract.landmarks import find_landmarks
from crawler.extract.markup import HEADINGS
from crawler.extract.meeting import parse_exchanges, parse_meeting
from crawler.extract.report import ExtractionPath, ExtractionReport
from crawler.extract.structure import Structure, find_structure
from crawler.extract.text import Block, Walk, is_link_line
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

EXTRACTOR_VERSION = "2.1"
# one parser everywhere; html.parser builds different trees from broken markup
PARSER = "lxml"

PLACEHOLDER_TEXT = "the text will be coming soon."
_CONFERENCE_TITLE = re.compile(r"press conference|記者会見", re.I)


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
    root = root_element(soup)
    # og:title or <title>, read only when no <h1> gives the title
    head_title = functools.cache(functools.partial(fallback_title, soup, root))
    try:
        walk, report, found = _content(soup, url, head_title)
    except RecursionError:
        raise ExtractionError(f"{url}: markup nested too deeply") from None
    title, needs_date = None, False
    if found is not None:
        title, needs_date = structure_title(found, head_title())
    doc = _document(walk, root, url, title, head_title)
    if needs_date and doc.date is None:
        raise ExtractionError(
            f"{url}: content area missing (no title heading and no date line)"
        )
    return doc, report


def _content(
    soup: BeautifulSoup, url: str, head_title: Callable[[], str | None]
) -> tuple[Walk, ExtractionReport, Structure | None]:
    """Walk the landmark's content area; when there is none, or it holds only
    links, walk the area the structure pass finds (returned too)."""
    landmarks = find_landmarks(soup)
    rejected = None
    if landmarks.container is not None:
        walk = Walk().run(landmarks.container)
        rejected = _rejection(walk)
        if rejected is None:
            path = ExtractionPath.LANDMARKS
            return walk, ExtractionReport(path, landmarks.container_name), None
        rejected = f"{landmarks.container_name}: {rejected}"
    found = find_structure(soup, head_title())
    if found is None:
        if rejected is not None and walk.blocks:
            # links only: a menu stored as the document would be a garbage version
            raise ExtractionError(f"{url}: content area missing ({rejected})")
        if landmarks.container is not None:
            report = ExtractionReport(
                ExtractionPath.LANDMARKS, landmarks.container_name
            )
            return walk, report, None
        raise ExtractionError(
            f"{url}: content area missing (div.any-area, #maincontents, main, "
            "or a title heading with paragraph text)"
        )
    walk = Walk(structural=True).run(found.container)
    report = ExtractionReport(ExtractionPath.STRUCTURE, found.container.name, rejected)
    return walk, report, found


def _rejection(walk: Walk) -> str | None:
    """Why a landmark's content is not the page's content, or None when it is."""
    if not walk.blocks:
        return "no text"
    if all(is_link_line(b) for b in walk.blocks):
        return "only links"
    return None


def _document(
    walk: Walk,
    root: Tag | None,
    url: str,
    title: str | None,
    head_title: Callable[[], str | None],
) -> Document:
    """The Document of the walked content; `title` is the one the structure pass
    settled on, `head_title` gives og:title or <title> when there is no <h1>."""
    blocks = walk.blocks
    area_mode = any(b.in_area for b in blocks)
    preamble = find_preamble(blocks, area_mode, url)
    has_h1 = any(b.tag == "h1" for b in blocks[:HEADER_WINDOW])
    fallback = None if has_h1 else title or head_title() or first_heading(blocks)
    header = find_header(blocks, preamble.indices, area_mode, fallback, url)
    body_blocks = _body_blocks(walk, header, preamble.indices, area_mode)
    body = tuple(b.text for b in body_blocks)
    placeholder = len(body) == 1 and body[0].casefold() == PLACEHOLDER_TEXT
    if placeholder:
        body = ()
    elif not body:
        raise ExtractionError(f"{url}: no body text in the content area")
    path = urlsplit(url).path
    language = _language(path, root)
    kind = _kind(url, path)
    meeting, exchanges = _facts(kind, header.title, body_blocks, body, language)
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
        topics=find_topics(_topic_text(header.title, body, language)),
        meeting=meeting,
        exchanges=exchanges,
    )


def _body_blocks(
    walk: Walk, header: Header, preamble: set[int], area_mode: bool
) -> list[Block]:
    """With div.any-area the body is the areas, plus what sits between two of them
    (headings of consecutive main-sections); without, the whole content area.
    Text equal to an image's alt is its caption, not body."""
    blocks = walk.blocks
    in_areas = [i for i, b in enumerate(blocks) if b.in_area] or [-1]
    first_area, last_area = in_areas[0], in_areas[-1]
    captions = set(walk.captions)
    return [
        b
        for i, b in enumerate(blocks)
        if i >= header.body_from
        and i not in header.consumed
        and i not in preamble
        and (not area_mode or first_area <= i <= last_area)
        and b.text not in captions
    ]


def _facts(
    kind: str,
    title: str,
    body_blocks: list[Block],
    body: tuple[str, ...],
    language: str,
) -> tuple[Meeting | None, tuple[Exchange, ...]]:
    """A readout's meeting facts, or a press conference's exchanges."""
    if kind == DocumentKind.PRESS_CONFERENCE or _CONFERENCE_TITLE.search(title):
        texts = [b.text for b in body_blocks if b.tag not in HEADINGS]
        return None, parse_exchanges(texts)
    if kind in (DocumentKind.PRESS_RELEASE, DocumentKind.PAGE):
        return parse_meeting(title, body, language), ()
    return None, ()


def _has_closing_tag(text: str) -> bool:
    """Whether the last 8 KiB hold </html> or </body> (searched from the end)."""
    start = max(0, len(text) - 8192)
    if text.rfind("</html", start) != -1 or text.rfind("</body", start) != -1:
        return True
    lowered = text[start:].lower()
    return "</html" in lowered or "</body" in lowered


def _topic_text(title: str, body: tuple[str, ...], language: str) -> str:
    text = "\n".join((title, *body))
    # full-width Latin letters and digits as their ASCII forms
    return unicodedata.normalize("NFKC", text) if language == "ja" else text


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
