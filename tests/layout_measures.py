"""What the layout-invariance tests measure on a Document read from a template of
tests/layouts.py: body token F1, the captions expected, the chrome text no body holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tests.layouts import Readout

# Text of the site chrome every template adds, and of the furniture the furnished
# templates add (fixtures/layouts/furniture.json); none of it may reach a Document.
CHROME_TEXT = (
    "Print",
    "Share this page",
    "JavaScript",
    "e-mail magazine",
    "Back to Top",
    "Adobe",
    "LINEで送る",
    "このページを印刷",
    "メールマガジン",
    "ページの先頭へ戻る",
    "関連リンク",
    "今月の報道発表",
    "Press Releases of this month",
    "Skip to main content",
    "Site Map",
    "Foreign Policy",
    "Countries & Regions",
    "About Us",
    "Home",
    "Legal Matters",
    "Privacy Policy",
    "Kasumigaseki",
    "Copyright",
    "Related Links",
    "Page Top",
    "Back to",
    "Press Archive",
)


def expected_captions(readout: Readout) -> list[str]:
    """Alt text then caption of each photo, each text once."""
    found: list[str] = []
    for alt, caption in readout["photos"]:
        for text in (alt, caption):
            if text not in found:
                found.append(text)
    return found


def _tokens(lines: Iterable[str], language: str) -> Counter[str]:
    text = " ".join(lines)
    if language == "ja":  # no spaces between Japanese words: characters are its tokens
        return Counter(c for c in text if not c.isspace())
    return Counter(text.split())


def body_f1(got: Iterable[str], want: Iterable[str], language: str) -> float:
    """Token F1 of an extracted body against the expected one (1.0: same tokens)."""
    g, w = _tokens(got, language), _tokens(want, language)
    common = sum((g & w).values())
    if not common:
        return 0.0
    precision, recall = common / sum(g.values()), common / sum(w.values())
    return 2 * precision * recall / (precision + recall)
