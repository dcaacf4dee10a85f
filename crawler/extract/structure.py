"""The content area found by structure, for pages no landmark describes.

No class name or id is trusted here. The main run of paragraph text is the block
that scores highest (text in links, in site chrome - <nav>, a site <header>,
<footer>, <aside>, forms, the contact <address> - and in scripts does not count).
The content area is the smallest element that holds both the page's title heading
and that run. A page whose title is only in <title> or og:title (no heading says
it) has the run widened instead (chrome.py): up through its ancestors while what
they add beside it is no site chrome (the section label, date line and photos above
the text, the back link below it), stopping below the site header, navigation,
breadcrumbs, footer and other blocks of links. With no title in <head> either, the
first <h2>, <h3> or line all in <b>/<strong> above the text in that area is the title.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

from crawler.extract.chrome import is_site_header, widen

logger = logging.getLogger(__name__)

_CHROME = frozenset({
    "nav", "footer", "aside", "form", "script", "style", "noscript", "template",
    "head", "select", "button", "iframe", "svg", "a", "address",
})  # fmt: skip
_INLINE = frozenset({
    "b", "i", "em", "strong", "span", "font", "u", "small", "big", "sup", "sub",
    "br", "time", "abbr", "cite", "q", "mark", "s", "wbr", "img", "label",
})  # fmt: skip
_MIN_RUN = 20  # characters of a text node that count as paragraph text
_HEADINGS = frozenset({"h2", "h3"})
_PROMINENT = _HEADINGS | {"b", "strong"}
_TITLE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Structure:
    """The content area, and the title element in it (None: the title is only
    in the page's <title> or og:title)."""

    container: Tag
    title: Tag | None


def find_structure(soup: BeautifulSoup, title_text: str | None) -> Structure | None:
    """The element holding the title heading and the main run of text, or None."""
    body = soup.body if soup.body is not None else soup
    wanted = " ".join(title_text.split()) if title_text else None
    found = _Found([], [], [], [])
    _collect(body, wanted, found)
    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    _score(found.runs, scores, elements)
    if not scores:
        return None
    best = elements[max(scores, key=lambda key: scores[key])]
    title = _title_element(found, wanted, best)
    if title is not None:
        return Structure(_common_ancestor(title, best), title)
    area = widen(best)
    if wanted is not None:
        return Structure(area, None)
    heading = _first_heading(found, area)
    if heading is None:
        return None  # text without any title is no article (an error page)
    return Structure(area, heading)


@dataclass(slots=True)
class _Found:
    """What one pass over the page outside its chrome met."""

    runs: list[NavigableString]  # text long enough to be paragraph text
    headings: list[Tag]  # <h1> elements with text
    titled: list[Tag]  # elements whose text is exactly the page's title
    # <h2>, <h3>, <b>, <strong>, each with the number of runs met before it
    prominent: list[tuple[Tag, int]]


def _collect(root: Tag, wanted: str | None, found: _Found) -> None:
    """One pass in document order, chrome left out."""
    stack: list[Tag] = [root]
    while stack:
        node = stack.pop()
        if node.name == "h1":
            found.headings.append(node)
        elif node.name in _PROMINENT:
            found.prominent.append((node, len(found.runs)))
        inner: list[Tag] = []
        for child in node.contents:
            if isinstance(child, Tag):
                if child.name not in _CHROME and not is_site_header(child):
                    inner.append(child)
                continue
            if not isinstance(child, NavigableString) or isinstance(
                child, PreformattedString
            ):
                continue
            if len(child) >= _MIN_RUN and len(child.strip()) >= _MIN_RUN:
                found.runs.append(child)
            if wanted and wanted in child and " ".join(child.split()) == wanted:
                found.titled.append(node)
        stack.extend(reversed(inner))


def _score(
    runs: list[NavigableString], scores: dict[int, float], elements: dict[int, Tag]
) -> None:
    """Credit each text run's block with its length, and half of it to the block
    above (so that a wrapper of many paragraphs beats any one of them)."""
    for text in runs:
        block = _block_of(text)
        if block is None:
            continue
        # UTF-8 length: a Japanese character says about what three Latin ones do
        weight = float(len(text.strip().encode("utf-8")))
        for share in (1.0, 0.5):
            key = id(block)
            elements[key] = block
            scores[key] = scores.get(key, 0.0) + weight * share
            parent = block.parent
            if not isinstance(parent, Tag) or parent.name == "[document]":
                break
            block = parent


def _block_of(text: NavigableString | Tag) -> Tag | None:
    node = text.parent
    while isinstance(node, Tag) and node.name in _INLINE:
        node = node.parent
    return node if isinstance(node, Tag) else None


def _title_element(found: _Found, wanted: str | None, best: Tag) -> Tag | None:
    """The <h1> that is the page's title (og:title or <title> without the site's
    name), else the <h1> nearest the main run of text, else the first element
    whose whole text is the page's title."""
    headings = [h1 for h1 in found.headings if h1.get_text(strip=True)]
    for h1 in headings:
        if wanted and " ".join(h1.get_text().split()) == wanted:
            return h1
    if headings:
        return max(headings, key=lambda h1: _depth(_common_ancestor(h1, best)))
    return found.titled[0] if found.titled else None


def _depth(el: Tag) -> int:
    return sum(1 for _ in el.parents)


def _common_ancestor(a: Tag, b: Tag) -> Tag:
    above_a = {id(a)}
    above_a.update(id(p) for p in a.parents)
    node: Tag = b
    while id(node) not in above_a and isinstance(node.parent, Tag):
        node = node.parent
    return node


def _first_heading(found: _Found, area: Tag) -> Tag | None:
    """The first <h2>, <h3> or line all in bold inside `area`, above its text."""
    first_run = next(
        (i for i, run in enumerate(found.runs) if _inside(run, area)), len(found.runs)
    )
    for el, runs_before in found.prominent:
        if runs_before > first_run or not _inside(el, area):
            continue
        text = " ".join(el.get_text().split())
        if not text or len(text) > _TITLE_CHARS:
            continue
        line = _block_of(el)
        if el.name in _HEADINGS or (
            line is not None and " ".join(line.get_text().split()) == text
        ):
            return el
    return None


def _inside(node: Tag | NavigableString, area: Tag) -> bool:
    return any(parent is area for parent in node.parents)
