"""What the page's markup means to the text walk: block and skipped tags, the ids and
classes of site chrome, photo containers and icons, and the lines that are navigation.

Tag names and class names are landmarks with fallbacks (research/mofa-site.md 2.2),
not a single selector.
"""

from __future__ import annotations

import logging
import re

from bs4.element import Tag

logger = logging.getLogger(__name__)

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = HEADINGS | {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody",
    "tfoot", "tr", "td", "th", "section", "article", "blockquote", "figure",
    "figcaption", "pre", "main", "header", "footer", "nav", "aside", "form",
    "address", "center", "caption", "hr", "body", "html",
}  # fmt: skip
SKIP_TAGS = frozenset({
    "script", "style", "noscript", "nav", "form", "iframe", "button", "select",
    "input", "textarea", "template", "svg", "header", "footer", "aside", "head",
    "link", "meta", "object", "embed", "video", "audio", "map", "canvas",
})  # fmt: skip
SKIP_IDS = frozenset({
    "header", "footer", "breadcrumb", "gnavi", "topicpath", "pankuzu", "navi",
    "side", "sidebar", "social", "sns", "pagetop", "page-top", "skip",
})  # fmt: skip
SKIP_CLASSES = frozenset({
    "pagetop", "page-top", "back", "breadcrumb", "topicpath", "pankuzu",
    "social-btn-top", "social-btn", "sns", "share", "skip", "gnavi",
    "header-link", "footer", "related-links", "related",
})  # fmt: skip
CAPTION_CLASSES = frozenset({"caption", "image", "img", "figure", "photo-caption"})
LABEL_CLASSES = frozenset({"title-sub", "category", "section-title", "title-cat"})
AREA_CLASS = "any-area"
# Icons that sit next to links; their alt text is not a caption.
ICON_ALTS = frozenset(
    {"open a new window", "pdf", "page top", "new window", "別ウィンドウで開く"}
)
NUMBERED = re.compile(r"\d+[.)]\s")
# A line that credits a photo, wherever it sits: "(Photo: ...)", "(写真提供: ...)"
PHOTO_LINE = re.compile(r"^[(\uff08]\s*(?:Photo|写真)", re.IGNORECASE)
# Two <br> with only blank text between them end a paragraph (legacy layouts).
BREAK = "\x1e"
LINK = "\x1f"  # around the text of a link, to measure how much of a line is links
PARAGRAPH_BREAK = re.compile(BREAK + r"\s*" + BREAK)
# inline elements a redesign may use as paragraphs, and the text that makes one
PARAGRAPH_INLINE = frozenset({"span", "font"})
PARAGRAPH_CHARS = 40
SMALL_PHOTO_TEXT = 200  # chars a photo's own container may hold and still be a caption
ICON_SIZE = 48  # an <img> this wide or narrower is an icon, not a photo


def is_icon(img: Tag, alt: object) -> bool:
    if isinstance(alt, str) and alt.casefold() in ICON_ALTS:
        return True
    for name in ("width", "height"):
        size = img.attrs.get(name)
        if isinstance(size, str) and size.isdigit() and int(size) <= ICON_SIZE:
            return True
    src = img.attrs.get("src")
    return isinstance(src, str) and "icon" in src.casefold()


def has_class(el: Tag, name: str) -> bool:
    classes = el.attrs.get("class")
    return bool(classes) and name in classes  # type: ignore[operator]


def has_any_class(el: Tag, names: frozenset[str]) -> bool:
    classes = el.attrs.get("class")
    return bool(classes) and not names.isdisjoint(classes)  # type: ignore[arg-type]


def is_skipped(el: Tag) -> bool:
    if not el.attrs:
        return False
    ident = el.attrs.get("id")
    if isinstance(ident, str) and ident.casefold() in SKIP_IDS:
        return True
    return has_any_class(el, SKIP_CLASSES)


def is_photo(el: Tag) -> bool:
    classes = el.attrs.get("class")
    if not classes:
        return False
    return any("photo" in c or c in CAPTION_CLASSES for c in classes)


def int_attr(el: Tag, name: str, default: int) -> int:
    value = el.attrs.get(name)
    if isinstance(value, str):
        value = value.strip()
        if value.isdigit() and len(value) < 7:
            return int(value)
    return default
