"""One walk over a page's content area: text blocks in order, photo captions apart.

Navigation, share buttons, "Back to ...", "Page Top", related links and the
footer never become blocks (markup.py says which tags, ids and classes are which).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bs4.element import NavigableString, PreformattedString, Tag

from crawler.extract.markup import (
    AREA_CLASS,
    BLOCK_TAGS,
    BREAK,
    HEADINGS,
    ICON_ALTS,
    LABEL_CLASSES,
    LINK,
    NAV_TEXT,
    NUMBERED,
    PARAGRAPH_BREAK,
    PARAGRAPH_CHARS,
    PARAGRAPH_INLINE,
    PHOTO_LINE,
    SKIP_TAGS,
    SMALL_PHOTO_TEXT,
    STOP_TEXTS,
    has_any_class,
    has_class,
    int_attr,
    is_icon,
    is_photo,
    is_skipped,
)

logger = logging.getLogger(__name__)


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
    _depth: int = 0  # elements walked into, from the container
    _photo_at: int = 0  # the depth of the element that held the last photo

    def run(self, container: Tag) -> Walk:
        self._root = container
        self._walk(container, has_class(container, AREA_CLASS))
        return self

    def _walk(self, el: Tag, in_area: bool) -> None:
        first_block, photos = len(self.blocks), self.photos
        self._depth += 1
        self._walk_children(el, in_area)
        self._depth -= 1
        # the photo's own element or its parent: a wrapper further up is no caption
        near = self._photo_at <= self._depth + 2
        if self.photos > photos and near and el is not self._root:
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
            if name not in BLOCK_TAGS and not (
                self.structural and _stands_alone(child, parts)
            ):
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
        if len(new) > 3 or sum(len(b.text) for b in new) > SMALL_PHOTO_TEXT:
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
        if name in SKIP_TAGS or is_skipped(el):
            return
        if name in ("figure", "figcaption") or is_photo(el):
            photos = self.photos  # captions known by markup need no photo rule
            self._collect_captions(el)
            self.photos = photos
            return
        in_area = in_area or has_class(el, AREA_CLASS)
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
        counter = int_attr(el, "start", 1)
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
                number = int_attr(child, "value", counter)
                counter = number + 1
            if not is_skipped(child):
                self._number = number
                self._walk(child, in_area)
                self._number = None

    def _inline_child(
        self, tag: Tag, parts: list[str], *, in_link: bool, photo: bool = False
    ) -> None:
        name = tag.name
        if name in SKIP_TAGS:
            return
        if name == "br":
            parts.append(BREAK)
        elif name == "img":
            alt = tag.attrs.get("alt")
            if isinstance(alt, str) and (photo or not in_link):
                self._add_caption(alt)
            if not is_icon(tag, alt):
                self.photos += 1
                self._photo_at = self._depth
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
            lines = PARAGRAPH_BREAK.split(raw)
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
        if PHOTO_LINE.match(text):
            self._add_caption(text)
            return
        if text.casefold() in STOP_TEXTS:
            self.stopped = True
            return
        if NAV_TEXT.match(text):
            return
        number, self._number = self._number, None
        if number is not None and not NUMBERED.match(text):
            text = f"{number}. {text}"
        is_label = has_any_class(el, LABEL_CLASSES)
        block = Block(text, el.name, in_area, is_label, href, when, link_chars)
        self.blocks.append(block)

    def _collect_captions(self, el: Tag) -> None:
        parts: list[str] = []
        for child in el.contents:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):
                    parts.append(child)
            elif isinstance(child, Tag) and child.name not in SKIP_TAGS:
                if child.name in BLOCK_TAGS:
                    self._add_caption("".join(parts))
                    parts = []
                    self._collect_captions(child)
                else:
                    self._inline_child(child, parts, in_link=False, photo=True)
        self._add_caption("".join(parts))

    def _add_caption(self, raw: str) -> None:
        text = " ".join(raw.replace(LINK, "").split())
        if text and text.casefold() not in ICON_ALTS and text not in self.captions:
            self.captions.append(text)


def _stands_alone(el: Tag, parts: list[str]) -> bool:
    """An inline element holding a paragraph's worth of text with no text of its
    block before or after it: a paragraph written as <span> or <font>."""
    if el.name not in PARAGRAPH_INLINE or "".join(parts).strip():
        return False
    after = el.next_sibling
    if isinstance(after, NavigableString) and after.strip():
        return False
    return len(el.get_text().strip()) >= PARAGRAPH_CHARS


def is_link_line(block: Block) -> bool:
    """A line that is mostly link text: a menu entry, not a paragraph."""
    if block.href is None:
        return False
    return block.link_chars * 5 >= (len(block.text) - block.text.count(" ")) * 4
