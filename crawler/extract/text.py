"""One walk over a page's content area: text blocks in order, photo captions apart.

Navigation, share buttons, "Back to ...", "Page Top", related links and the
footer never become blocks. Block tags and class names are landmarks with
fallbacks (research/mofa-site.md 2.2), not a single selector.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

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
    r"^(?:Back to\s.{1,80}|Skip to main content|(?:Top|Home|トップページ|ホーム)\s*"
    r"[>\u203a\u00bb].*|Copyright\s*(?:©|\(c\)).*"
    r"|.{1,30}へ戻る|本文へ移動)$",
    re.IGNORECASE | re.DOTALL,
)
_NUMBERED = re.compile(r"\d+[.)]\s")
# A line that credits a photo, wherever it sits: "(Photo: ...)", "(写真提供: ...)"
_PHOTO_LINE = re.compile(r"^[(\uff08]\s*(?:Photo|写真)", re.IGNORECASE)
# Two <br> with only blank text between them end a paragraph (legacy layouts).
BREAK = "\x1e"
LINK = "\x1f"  # around the text of a link, to measure how much of a line is links
_PARAGRAPH_BREAK = re.compile(BREAK + r"\s*" + BREAK)
_SMALL_PHOTO_TEXT = 200  # chars a photo's own container may hold and still be a caption
_ICON_SIZE = 48  # an <img> this wide or narrower is an icon, not a photo


@dataclass(slots=True)
class Block:
    """One paragraph, heading or list item as the reader sees it."""

    text: str
    tag: str
    in_area: bool
    is_label: bool
    href: str | None
    when: str | None = None  # the datetime of a <time> element in the block
    link_chars: int = 0  # non-blank characters of the block inside links


@dataclass(slots=True)
class Walk:
    """Blocks and captions of one content container, in document order."""

    blocks: list[Block] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    stopped: bool = False
    # structural mode (no landmark held the content): link-dense runs are dropped
    structural: bool = False
    photos: int = 0  # photos (<img> that is no icon) met so far
    _href: str | None = None
    _when: str | None = None
    _number: int | None = None  # list number waiting for the item's first block
    _root: Tag | None = None

    def run(self, container: Tag) -> Walk:
        self._root = container
        self._walk(container, _has_class(container, AREA_CLASS))
        return self

    def _walk(self, el: Tag, in_area: bool) -> None:
        first_block, photos = len(self.blocks), self.photos
        self._walk_children(el, in_area)
        if self.photos > photos and el is not self._root:
            self._photo_container(first_block)
        elif self.structural and len(self.blocks) - first_block > 1:
            self._drop_link_run(first_block)

    def _walk_children(self, el: Tag, in_area: bool) -> None:
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

    def _photo_container(self, first_block: int) -> None:
        """Text sharing a small container with a photo is its caption."""
        new = self.blocks[first_block:]
        if len(new) > 3 or sum(len(b.text) for b in new) > _SMALL_PHOTO_TEXT:
            return
        if any(b.tag in HEADINGS or b.when for b in new):
            return
        del self.blocks[first_block:]
        for b in new:
            self._add_caption(b.text)

    def _drop_link_run(self, first_block: int) -> None:
        """Without landmarks, a run of blocks that are mostly short links is
        navigation (menus, related links, breadcrumbs), not content."""
        new = self.blocks[first_block:]
        links = sum(1 for b in new if is_link_line(b))
        if links * 5 >= len(new) * 4:
            del self.blocks[first_block:]

    def _block(self, el: Tag, in_area: bool) -> None:
        name = el.name
        if name == "header" and el.find("h1") is not None:
            self._walk(el, in_area)  # an article's own header: title and date
            return
        if name in _SKIP_TAGS or _is_skipped(el):
            return
        if name in ("figure", "figcaption") or _is_photo(el):
            photos = self.photos  # captions known by markup need no photo rule
            self._collect_captions(el)
            self.photos = photos
            return
        in_area = in_area or _has_class(el, AREA_CLASS)
        if name == "ol" or name == "ul":
            self._list(el, in_area, ordered=name == "ol")
        else:
            self._walk(el, in_area)

    def _list(self, el: Tag, in_area: bool, *, ordered: bool) -> None:
        first_block = len(self.blocks)
        self._items(el, in_area, ordered=ordered)
        if self.structural and len(self.blocks) - first_block > 1:
            self._drop_link_run(first_block)

    def _items(self, el: Tag, in_area: bool, *, ordered: bool) -> None:
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
            parts.append(BREAK)
        elif name == "img":
            alt = tag.attrs.get("alt")
            if isinstance(alt, str) and (photo or not in_link):
                self._add_caption(alt)
            if not _is_icon(tag, alt):
                self.photos += 1
        else:
            if name == "a":
                href = tag.attrs.get("href")
                self._href = href if isinstance(href, str) else None
                in_link = True
                parts.append(LINK)
            elif name == "time":
                when = tag.attrs.get("datetime")
                self._when = when if isinstance(when, str) else None
            for child in tag.contents:
                if isinstance(child, NavigableString):
                    if not isinstance(child, PreformattedString):
                        parts.append(child)
                elif isinstance(child, Tag):
                    self._inline_child(child, parts, in_link=in_link, photo=photo)
            if name == "a":
                parts.append(LINK)

    def _emit(self, el: Tag, parts: list[str], in_area: bool) -> None:
        raw = "".join(parts)
        if BREAK in raw:
            lines = _PARAGRAPH_BREAK.split(raw)
            for line in lines[:-1]:
                self._emit_line(el, line.replace(BREAK, " "), in_area)
            raw = lines[-1].replace(BREAK, " ")
        self._emit_line(el, raw, in_area)

    def _emit_line(self, el: Tag, raw: str, in_area: bool) -> None:
        link_chars = 0
        if LINK in raw:
            pieces = raw.split(LINK)
            link_chars = sum(len("".join(p.split())) for p in pieces[1::2])
            raw = "".join(pieces)
        text = " ".join(raw.split())
        href, self._href = self._href, None
        when, self._when = self._when, None
        if not text:
            return
        if _PHOTO_LINE.match(text):
            self._add_caption(text)
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
        block = Block(text, el.name, in_area, is_label, href, when, link_chars)
        self.blocks.append(block)

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
        text = " ".join(raw.replace(LINK, "").split())
        if text and text.casefold() not in _ICON_ALTS and text not in self.captions:
            self.captions.append(text)


def is_link_line(block: Block) -> bool:
    """A line that is mostly link text: a menu entry, not a paragraph."""
    if block.href is None:
        return False
    return block.link_chars * 5 >= (len(block.text) - block.text.count(" ")) * 4


def _is_icon(img: Tag, alt: object) -> bool:
    if isinstance(alt, str) and alt.casefold() in _ICON_ALTS:
        return True
    for name in ("width", "height"):
        size = img.attrs.get(name)
        if isinstance(size, str) and size.isdigit() and int(size) <= _ICON_SIZE:
            return True
    src = img.attrs.get("src")
    return isinstance(src, str) and "icon" in src.casefold()


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
