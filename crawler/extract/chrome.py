"""Site chrome beside a page's content, for the structural fallback (no class name
or id trusted): the site header, navigation, breadcrumbs, footer, search form and
contact address, and blocks of links that are no furniture the walk leaves out.
"""

from __future__ import annotations

import logging

from bs4.element import Tag

from crawler.extract.boilerplate import Furniture, furniture

logger = logging.getLogger(__name__)

# beside the content, these are chrome (also when nested in a block beside it)
_SITE_CHROME = ("nav", "footer", "address")
_CHROME_TAGS = frozenset({*_SITE_CHROME, "aside", "form"})
_LISTS = ("ul", "ol", "dl", "table")


def is_site_header(el: Tag) -> bool:
    """A <header> without the title heading is the site's banner."""
    return el.name == "header" and el.find("h1") is None


def widen(block: Tag) -> Tag:
    """The largest ancestor of `block` whose other children are no site chrome:
    up from the main run of text, over the section label, date line and photos
    above it and the back link below it, stopping below the site header,
    navigation, breadcrumbs and footer."""
    node = block
    while isinstance(node.parent, Tag) and node.parent.name != "[document]":
        parent = node.parent
        if parent.name == "html" or any(
            is_chrome(el)
            for el in parent.contents
            if isinstance(el, Tag) and el is not node
        ):
            break
        node = parent
    return node


def is_chrome(el: Tag) -> bool:
    """Site chrome beside the content: a site header, navigation, footer, search
    form or contact address, or a block of links (a menu, breadcrumbs) that is not
    furniture the walk leaves out (a share bar, a "Related Links" block)."""
    if el.name in _CHROME_TAGS or is_site_header(el):
        return True
    if el.find(_SITE_CHROME) is not None:
        return True
    if not (_mostly_links(el) or any(map(_mostly_links, el.find_all(_LISTS)))):
        return False
    lines = list(el.stripped_strings)
    return furniture(lines[0]) is not Furniture.RELATED and not all(
        map(furniture, lines)
    )


def _mostly_links(el: Tag) -> bool:
    """Two links or more, holding half the text of `el` or more."""
    texts = [t for a in el.find_all("a") if (t := "".join(a.get_text().split()))]
    if len(texts) < 2:
        return False
    return sum(map(len, texts)) * 2 >= len("".join(el.get_text().split()))
