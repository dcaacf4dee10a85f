"""One walk over a page's content area: text blocks in order, photo captions apart.

Navigation, share buttons, "Back to ...", "Page Top", related links and the
footer never become blocks (markup.py says which tags, ids and classes are which,
boilerplate.py which lines are site furniture).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bs4.element import NavigableString, PreformattedString, Tag

from crawler.extract.boilerplate import Furniture, furniture, repeated
from crawler.extract.markup import (
    AREA_CLASS,
    BLOCK_TAGS,
    BREAK,
    HEADINGS,
    ICON_ALTS,
    LABEL_CLASSES,
    LINK,
    NUMBERED,
    PARAGRAPH_BREAK,
    PARAGRAPH_CHARS,
    PARAGRAPH_INLINE,
    PHOTO_LINE,
    SKIP_TAGS,
    SMALL_PHOTO_TEXT,
    has_any_class,
    has_class,
    int_attr,
    is_icon,
    is_photo,
    is_skipped,
)

logger = logging.getLogger(__name__)

_CELLS = frozenset({"td", "th"})


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
    # structural mode (no landmark held the content): link-dense runs are dropped
    structural: bool = False
    photos: int = 0  # photos (<img> that is no icon) met so far
    _href: str | None = None
    _related: bool = False  # after a "Related Links" heading: its links follow
    _furniture: int = 0  # furniture lines left out so far
    _when: str | None = None
    _number: int | None = None  # list number waiting for the item's first block
    _root: Tag | None = None
    _depth: int = 0  # elements walked into, from the container
    _photo_at: int = 0  # the depth of the element that held the last photo

    def run(self, container: Tag) -> Walk:
        self._root = container
        self._walk(container, has_class(container, AREA_CLASS))
        self._drop_repeats()
        return self

    def _drop_repeats(self) -> None:
        """Short lines met twice or more are furniture (headings and table cells
        may repeat as content)."""
        drop = repeated(
            (b.text, b.tag in HEADINGS or b.tag in _CELLS) for b in self.blocks
        )
        if drop:
            self.blocks = [b for b in self.blocks if b.text not in drop]

    def _walk(self, el: Tag, in_area: bool) -> None:
        first_block, photos, dropped = len(self.blocks), self.photos, self._furniture
        self._depth += 1
        self._walk_children(el, in_area)
        self._depth -= 1
        # the photo's own element or its parent: a wrapper further up is no caption
        near = self._photo_at <= self._depth + 2
        if self.photos > photos and near and el is not self._root:
            self._photo_container(first_block)
        elif self.structural:
            self._drop_link_run(first_block, self._furniture - dropped)

    def _walk_children(self, el: Tag, in_area: bool) -> None:
        parts: list[str] = []
        for child in el.contents:
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
        if parts:
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

    def _drop_link_run(self, first_block: int, furniture: int) -> None:
        """Without landmarks, a run of blocks that are mostly short links is
        navigation (menus, related links, breadcrumbs), not content. Furniture
        lines left out of the run ("Share", "Page Top") count as its links."""
        new = self.blocks[first_block:]
        if len(new) + furniture < 2:
            return
        links = sum(1 for b in new if is_link_line(b)) + furniture
        if links * 5 >= (len(new) + furniture) * 4:
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
        first_block, dropped = len(self.blocks), self._furniture
        self._items(el, in_area, ordered=ordered)
        if self.structural:
            self._drop_link_run(first_block, self._furniture - dropped)

    def _items(self, el: Tag, in_area: bool, *, ordered: bool) -> None:
        counter = int_attr(el, "start", 1)
        for child in el.contents:
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
        kind = furniture(text)
        if kind is not None:
            self._related = self._related or kind is Furniture.RELATED
            self._furniture += 1
            return
        number, self._number = self._number, None
        if number is not None and not NUMBERED.match(text):
            text = f"{number}. {text}"
        is_label = has_any_class(el, LABEL_CLASSES)
        block = Block(text, el.name, in_area, is_label, href, when, link_chars)
        if self._related and is_link_line(block):
            self._furniture += 1
            return  # one of the related links
        self._related = False
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
        if not text or text.casefold() in ICON_ALTS or text in self.captions:
            return
        if furniture(text) is None:  # "Page Top" arrows, "Get Adobe Reader" badges
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
