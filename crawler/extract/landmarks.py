"""The content area by landmarks: the ids, elements and classes of the template we
know (research/mofa-site.md 2.2), tried in order of trust."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import Tag

from crawler.extract.markup import AREA_CLASS

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Landmarks:
    """What the landmark pass found: the content container and the landmark name."""

    container: Tag | None
    container_name: str


# Containers worth descending into when looking for the content area; lists,
# paragraphs, tables and forms never hold it, so their subtrees are skipped.
_LANDMARK_PATH = frozenset(
    {"html", "body", "div", "main", "section", "article", "center", "form"}
)


def find_landmarks(soup: BeautifulSoup) -> Landmarks:
    """The content container: #maincontents, then <main>, [role=main], #contents,
    div.any-area, div.text (the Japanese pages' fallback). Stops at #maincontents."""
    found: dict[str, Tag] = {}
    stack = [n for n in reversed(soup.contents) if isinstance(n, Tag)]
    while stack:
        node = stack.pop()
        ident = node.attrs.get("id")
        if ident == "maincontents":
            return Landmarks(node, "#maincontents")
        if node.name == "main":
            found.setdefault("main", node)
        elif ident == "contents":
            found.setdefault("#contents", node)
        if node.attrs.get("role") == "main":
            found.setdefault("[role=main]", node)
        classes = node.attrs.get("class")
        if classes and node.name == "div":
            if AREA_CLASS in classes:
                found.setdefault("div.any-area", node)
            elif "text" in classes:
                found.setdefault("div.text", node)
        stack.extend(
            n
            for n in reversed(node.contents)
            if isinstance(n, Tag) and n.name in _LANDMARK_PATH
        )
    for name in ("main", "[role=main]", "#contents", "div.any-area", "div.text"):
        if name in found:
            return Landmarks(found[name], name)
    return Landmarks(None, "")
