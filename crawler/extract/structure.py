"""The content area found by structure, for pages no landmark describes.

No class name or id is trusted here. The content area is the smallest element that
holds both the page's title heading and the main run of paragraph text: text in
links, in site chrome (<nav>, a site <header>, <footer>, <aside>, forms) and in
scripts does not count toward the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

logger = logging.getLogger(__name__)

_CHROME = frozenset({
    "nav", "footer", "aside", "form", "script", "style", "noscript", "template",
    "head", "select", "button", "iframe", "svg", "a",
})  # fmt: skip
_INLINE = frozenset({
    "b", "i", "em", "strong", "span", "font", "u", "small", "big", "sup", "sub",
    "br", "time", "abbr", "cite", "q", "mark", "s", "wbr", "img", "label",
})  # fmt: skip
_MIN_RUN = 20  # characters of a text node that count as paragraph text


@dataclass(frozen=True, slots=True)
class Structure:
    """The content area, and the title element in it (None when there is no <h1>
    and no element whose text is the page's <title>)."""

    container: Tag
    title: Tag | None


def find_structure(soup: BeautifulSoup, title_text: str | None) -> Structure | None:
    """The element holding the title heading and the main run of text, or None."""
    body = soup.body if soup.body is not None else soup
    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    _score(body, scores, elements)
    if not scores:
        return None
    best = elements[max(scores, key=lambda key: scores[key])]
    title = _title_element(body, title_text, best)
    if title is None:
        return Structure(best.parent if isinstance(best.parent, Tag) else best, None)
    return Structure(_common_ancestor(title, best), title)


def _score(body: Tag, scores: dict[int, float], elements: dict[int, Tag]) -> None:
    """Credit each text run's block with its length, and half of it to the block
    above (so that a wrapper of many paragraphs beats any one of them)."""
    for text in _content_strings(body):
        block = _block_of(text)
        if block is None:
            continue
        weight = float(len(text.strip()))
        for share in (1.0, 0.5):
            key = id(block)
            elements[key] = block
            scores[key] = scores.get(key, 0.0) + weight * share
            parent = block.parent
            if not isinstance(parent, Tag) or parent.name == "[document]":
                break
            block = parent


def _content_strings(root: Tag) -> list[NavigableString]:
    found: list[NavigableString] = []
    stack: list[Tag] = [root]
    while stack:
        node = stack.pop()
        for child in node.contents:
            if isinstance(child, Tag):
                if child.name not in _CHROME and not _is_site_header(child):
                    stack.append(child)
            elif (
                isinstance(child, NavigableString)
                and not isinstance(child, PreformattedString)
                and len(child) >= _MIN_RUN
                and len(child.strip()) >= _MIN_RUN
            ):
                found.append(child)
    return found


def _is_site_header(el: Tag) -> bool:
    """A <header> without the title heading is the site's banner."""
    return el.name == "header" and el.find("h1") is None


def _block_of(text: NavigableString) -> Tag | None:
    node = text.parent
    while isinstance(node, Tag) and node.name in _INLINE:
        node = node.parent
    return node if isinstance(node, Tag) else None


def _title_element(body: Tag, title_text: str | None, best: Tag) -> Tag | None:
    """The <h1> that is the page's title (og:title or <title> without the site's
    name), else the <h1> nearest the main run of text, else the innermost element
    whose whole text is the page's title."""
    wanted = " ".join(title_text.split()) if title_text else None
    headings = [
        h1
        for h1 in body.find_all("h1")
        if isinstance(h1, Tag) and not _in_chrome(h1) and h1.get_text(strip=True)
    ]
    for h1 in headings:
        if wanted and " ".join(h1.get_text().split()) == wanted:
            return h1
    if headings:
        return max(headings, key=lambda h1: _depth(_common_ancestor(h1, best)))
    if not wanted:
        return None
    for string in body.find_all(string=True):
        parent = string.parent
        if (
            isinstance(parent, Tag)
            and parent.name != "title"
            and " ".join(string.split()) == wanted
            and not _in_chrome(parent)
        ):
            return parent
    return None


def _depth(el: Tag) -> int:
    return sum(1 for _ in el.parents)


def _in_chrome(el: Tag) -> bool:
    node: Tag | None = el
    while node is not None:
        if node.name in _CHROME or (node.name == "header" and node is not el):
            return node.name != "header" or node.find("h1") is None
        node = node.parent
    return False


def _common_ancestor(a: Tag, b: Tag) -> Tag:
    above_a = {id(a)}
    above_a.update(id(p) for p in a.parents)
    node: Tag = b
    while id(node) not in above_a and isinstance(node.parent, Tag):
        node = node.parent
    return node
