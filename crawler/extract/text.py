"""One walk over a page's content area: text blocks in order, photo captions apart.

Navigation, share buttons, "Back to ...", "Page Top", related links and the
footer never become blocks. Block tags and class names are landmarks with
fallbacks (research/mofa-site.md 2.2), not a single selector.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

logger = logging.getLogger(__name__)

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCK_TAGS = HEADINGS | {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody",
    "tfoot", "tr", "td", "th", "section", "article", "blockquote", "figure",
    "figcaption", "pre", "main", "header", "footer", "nav", "aside", "form",
    "address", "center", "caption", "hr", "body", "html",
}  # fmt: skip
_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "nav", "form", "iframe", "button", "select",
    "input", "textarea", "template", "svg", "header", "footer", "aside", "head",
    "link", "meta", "object", "embed", "video", "audio", "map", "canvas",
})  # fmt: skip
_SKIP_IDS = frozenset({
    "header", "footer", "breadcrumb", "gnavi", "topicpath", "pankuzu", "navi",
    "side", "sidebar", "social", "sns", "pagetop", "page-top", "skip",
})  # fmt: skip
_SKIP_CLASSES = frozenset({
    "pagetop", "page-top", "back", "breadcrumb", "topicpath", "pankuzu",
    "social-btn-top", "social-btn", "sns", "share", "skip", "gnavi",
    "header-link", "footer", "related-links", "related",
})  # fmt: skip
_CAPTION_CLASSES = frozenset({"caption", "image", "img", "figure", "photo-caption"})
LABEL_CLASSES = frozenset({"title-sub", "category", "section-title", "title-cat"})
AREA_CLASS = "any-area"
# Icons that sit next to links; their alt text is not a caption.
_ICON_ALTS = frozenset(
    {"open a new window", "pdf", "page top", "new window", "別ウィンドウで開く"}
)
_STOP_TEXTS = frozenset({
    "related links", "related link", "related links:", "page top", "[page top]",
    "関連リンク", "ページトップへ戻る", "ページの先頭へ戻る",
})  # fmt: skip
_NAV_TEXT = re.compile(
    r"^(?:Back to\s.{1,80}|Skip to main content|Top\s*>.*|Copyright\s*(?:©|\(c\)).*"
    r"|.{1,30}へ戻る|本文へ移動)$",
    re.IGNORECASE | re.DOTALL,
)
_NUMBERED = re.compile(r"\d+[.)]\s")


@dataclass(slots=True)
class Block:
    """One paragraph, heading or list item as the reader sees it."""

    text: str
    tag: str
    in_area: bool
    is_label: bool
    href: str | None


@dataclass(slots=True)
class Landmarks:
    """What the landmark pass found: the content container and the landmark name."""

    container: Tag | None
    container_name: str


@dataclass(slots=True)
class Walk:
    """Blocks and captions of one content container, in document order."""

    blocks: list[Block] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    stopped: bool = False
    _href: str | None = None
    _number: int | None = None  # list number waiting for the item's first block

    def run(self, container: Tag) -> Walk:
        self._walk(container, _has_class(container, AREA_CLASS))
        return self

    def _walk(self, el: Tag, in_area: bool) -> None:
        parts: list[str] = []
        for child in el.contents:
            if self.stopped:
                return
            if isinstance(child, NavigableString):
                # leading blank text between block tags can never matter
                if (parts or not child.isspace()) and not isinstance(
                    child, PreformattedString
                ):
                    parts.append(child)
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name not in _BLOCK_TAGS:
                self._inline_child(child, parts, in_link=False)
                continue
            if parts:
                self._emit(el, parts, in_area)
            parts = []
            self._block(child, in_area)
        if parts and not self.stopped:
            self._emit(el, parts, in_area)

    def _block(self, el: Tag, in_area: bool) -> None:
        name = el.name
        if name in _SKIP_TAGS or _is_skipped(el):
            return
        if name in ("figure", "figcaption") or _is_photo(el):
            self._collect_captions(el)
            return
        in_area = in_area or _has_class(el, AREA_CLASS)
        if name == "ol" or name == "ul":
            self._list(el, in_area, ordered=name == "ol")
        else:
            self._walk(el, in_area)

    def _list(self, el: Tag, in_area: bool, *, ordered: bool) -> None:
        counter = _int_attr(el, "start", 1)
        for child in el.contents:
            if self.stopped:
                return
            if not isinstance(child, Tag):
                continue
            if child.name != "li":
                self._block(child, in_area)
                continue
            number = None
            if ordered:
                number = _int_attr(child, "value", counter)
                counter = number + 1
            if not _is_skipped(child):
                self._number = number
                self._walk(child, in_area)
                self._number = None

    def _inline_child(
        self, tag: Tag, parts: list[str], *, in_link: bool, photo: bool = False
    ) -> None:
        name = tag.name
        if name in _SKIP_TAGS:
            return
        if name == "br":
            parts.append(" ")
        elif name == "img":
            alt = tag.attrs.get("alt")
            if isinstance(alt, str) and (photo or not in_link):
                self._add_caption(alt)
        else:
            if name == "a":
                href = tag.attrs.get("href")
                self._href = href if isinstance(href, str) else None
                in_link = True
            for child in tag.contents:
                if isinstance(child, NavigableString):
                    if not isinstance(child, PreformattedString):
                        parts.append(child)
                elif isinstance(child, Tag):
                    self._inline_child(child, parts, in_link=in_link, photo=photo)

    def _emit(self, el: Tag, parts: list[str], in_area: bool) -> None:
        text = " ".join("".join(parts).split())
        href, self._href = self._href, None
        if not text:
            return
        if text.casefold() in _STOP_TEXTS:
            self.stopped = True
            return
        if _NAV_TEXT.match(text):
            return
        number, self._number = self._number, None
        if number is not None and not _NUMBERED.match(text):
            text = f"{number}. {text}"
        is_label = _has_any_class(el, LABEL_CLASSES)
        self.blocks.append(Block(text, el.name, in_area, is_label, href))

    def _collect_captions(self, el: Tag) -> None:
        parts: list[str] = []
        for child in el.contents:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):
                    parts.append(child)
            elif isinstance(child, Tag) and child.name not in _SKIP_TAGS:
                if child.name in _BLOCK_TAGS:
                    self._add_caption("".join(parts))
                    parts = []
                    self._collect_captions(child)
                else:
                    self._inline_child(child, parts, in_link=False, photo=True)
        self._add_caption("".join(parts))

    def _add_caption(self, raw: str) -> None:
        text = " ".join(raw.split())
        if text and text.casefold() not in _ICON_ALTS and text not in self.captions:
            self.captions.append(text)


def _has_class(el: Tag, name: str) -> bool:
    classes = el.attrs.get("class")
    return bool(classes) and name in classes  # type: ignore[operator]


def _has_any_class(el: Tag, names: frozenset[str]) -> bool:
    classes = el.attrs.get("class")
    return bool(classes) and not names.isdisjoint(classes)  # type: ignore[arg-type]


def _is_skipped(el: Tag) -> bool:
    if not el.attrs:
        return False
    ident = el.attrs.get("id")
    if isinstance(ident, str) and ident.casefold() in _SKIP_IDS:
        return True
    return _has_any_class(el, _SKIP_CLASSES)


def _is_photo(el: Tag) -> bool:
    classes = el.attrs.get("class")
    if not classes:
        return False
    return any("photo" in c or c in _CAPTION_CLASSES for c in classes)


def _int_attr(el: Tag, name: str, default: int) -> int:
    value = el.attrs.get(name)
    if isinstance(value, str):
        value = value.strip()
        if value.isdigit() and len(value) < 7:
            return int(value)
    return default


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
