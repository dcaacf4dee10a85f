"""Site furniture: lines that sit among a page's content but are not content.

Both paths of the extractor leave out, in English and in Japanese:
- navigation lines: "Skip to main content", breadcrumbs ("Top > ..."), "Back to ...",
  "... へ戻る", the copyright line;
- "Page Top" / "Back to top" / "ページの先頭へ戻る" links, wherever they sit (long
  Japanese pages repeat them after each section);
- print and share lines ("Print", "Share", "Post", "LINEで送る", "このページを印刷");
- the PDF-reader notice ("Adobe Acrobat Reader is required to view PDF files",
  "PDFファイルをご覧いただくには...閲覧ソフトが必要です");
- the JavaScript-off notice ("JavaScript is disabled...", "JavaScriptを有効にして...");
- a "Related Links" / "関連リンク" heading and the link lines under it;
- short lines met more than once in the same content area (a share bar at the top
  and the bottom, a banner repeated between sections).

research/mofa-site.md 2.2 (items 9-12) lists the furniture seen on the live site.
"""

from __future__ import annotations

import enum
import logging
import re
from collections import Counter
from collections.abc import Iterable

logger = logging.getLogger(__name__)


class Furniture(enum.Enum):
    """What a furniture line is to the walk over the content area."""

    LINE = "line"  # leave the line out
    RELATED = "related"  # leave it out, and the link lines that follow it


NAV_TEXT = re.compile(
    r"^(?:Back to\s.{1,80}|Skip to (?:the )?main content"
    r"|(?:Top|Home|トップページ|ホーム)\s*[>\u203a\u00bb].*|Copyright\s*(?:©|\(c\)).*"
    r"|.{1,30}へ戻る|本文へ(?:移動|スキップ))$",
    re.IGNORECASE | re.DOTALL,
)
_PAGE_TOP = re.compile(
    r"^[\[\uff3b(\uff08\u25b2\u25b3\u2191^]?\s*(?:page\s*top|top\s+of\s+(?:the\s+)?page"
    r"|(?:back|return|go)\s+to\s+(?:the\s+)?top(?:\s+of\s+(?:the\s+)?page)?"
    r"|to\s+(?:the\s+)?top|(?:この)?ページ(?:の)?(?:先頭|トップ|上)(?:へ|に)?(?:戻る)?"
    r"|先頭へ戻る)\s*[\]\uff3d)\uff09\u25b2\u2191]?$",
    re.IGNORECASE,
)
_SHARE_PIECE = re.compile(
    r"^(?:print(?:\s+(?:this\s+)?page)?|share(?:\s+(?:this(?:\s+page)?|on\s+\S+))?"
    r"|tweet|post|facebook|twitter|x|line|linkedin|e-?mail|印刷(?:する|用ページ)?"
    r"|(?:この)?ページを印刷(?:する)?"
    r"|(?:x|twitter|facebook|line|はてな)?\s*(?:で|に)?\s*(?:シェア|ポスト|ツイート|送る|共有)"
    r"(?:する)?)$",
    re.IGNORECASE,
)
# "X", "LINE", "Post" or "E-mail" alone may be content; beside one of these, a share bar
_SHARE_WORD = re.compile(
    r"print|share|tweet|facebook|twitter|linkedin|印刷|シェア|ツイート|ポスト|送る|共有",
    re.IGNORECASE,
)
_SHARE_SEPARATORS = re.compile(r"\s*[|\uff5c/\u30fb\u00b7\u2022,]\s*")
_READER = r"(?:Adobe|Acrobat|リーダー|閲覧ソフト|ビューア)"
_PDF_NOTICE = re.compile(
    rf"PDF.*{_READER}|{_READER}.*PDF|^Get\s+Adobe\s+(?:Acrobat\s+)?Reader",
    re.IGNORECASE | re.DOTALL,
)
_JAVASCRIPT_OFF = re.compile(
    r"JavaScript.*(?:disabled|enable|turned\s+off|not\s+supported|無効|有効|オフ|対応)",
    re.IGNORECASE | re.DOTALL,
)
_RELATED = frozenset({"related links", "related link", "関連リンク"})
_RELATED_TRIM = " :\uff1a[]\uff3b\uff3d\u3010\u3011\u25a0\u25a1\u25c6\u25c7\u25cf\u25cb"
_RELATED_CHARS = 24  # "Related Links" with its brackets or colon
_SHARE_CHARS = 80
NOTICE_CHARS = 300  # a notice is one short line; a paragraph that mentions PDF is not
REPEATED_CHARS = 80  # lines up to this long that repeat are furniture
_SENTENCE_END = tuple(".\u3002!?\uff01\uff1f:\uff1a")  # full-width forms too


def furniture(text: str) -> Furniture | None:
    """What a whole line (whitespace collapsed) is, if it is site furniture."""
    size = len(text)
    if size > NOTICE_CHARS:
        return None
    lower = text.casefold()  # the cheap tests first: most lines are content
    if size <= _RELATED_CHARS and lower.strip(_RELATED_TRIM) in _RELATED:
        return Furniture.RELATED
    if NAV_TEXT.match(text) or _PAGE_TOP.match(text):
        return Furniture.LINE
    if size <= _SHARE_CHARS and _SHARE_WORD.search(lower) and _is_share_line(text):
        return Furniture.LINE
    if ("pdf" in lower or "adobe" in lower) and _PDF_NOTICE.search(text):
        return Furniture.LINE
    if "javascript" in lower and _JAVASCRIPT_OFF.search(text):
        return Furniture.LINE
    return None


def _is_share_line(text: str) -> bool:
    pieces = [p for p in _SHARE_SEPARATORS.split(text) if p]
    return bool(pieces) and all(
        _SHARE_PIECE.match(p) or all(_SHARE_PIECE.match(w) for w in p.split())
        for p in pieces
    )


def repeated(lines: Iterable[tuple[str, bool]]) -> set[str]:
    """The lines that are furniture by repetition, from (text, may_repeat) pairs:
    short lines, not sentences, met twice or more. Lines that may repeat as content
    (headings, table cells) are given with may_repeat=True and never counted."""
    counts = Counter(
        text
        for text, may_repeat in lines
        if not may_repeat
        and len(text) <= REPEATED_CHARS
        and not text.endswith(_SENTENCE_END)
    )
    return {text for text, n in counts.items() if n > 1}
