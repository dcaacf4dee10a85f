"""Whether the places of a meeting's Japanese and English readouts agree.

The two versions name a place in different scripts (東京 / Tokyo), so a place is
looked up in a small table of the places readouts name, each with the place it
lies in (外務省 is in Tokyo). Two places agree when they are the same place or one
lies within the other ("in Tokyo" and 「外務省において」 do not contradict each
other); they disagree only when both are known and neither contains the other.
A place not in the table cannot be compared: never a disagreement.
"""

from __future__ import annotations

import enum
import re
import unicodedata

# key: (names in either language, the key of the place it lies in)
_PLACES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "japan": (("Japan", "日本"), None),
    "tokyo": (("Tokyo", "東京", "東京都"), "japan"),
    "mofa": (
        (
            "the Ministry of Foreign Affairs",
            "the Ministry of Foreign Affairs of Japan",
            "the Ministry",
            "MOFA",
            "外務省",
            "外務省本省",
        ),
        "tokyo",
    ),
    "iikura": (("the Iikura Guest House", "Iikura Guest House", "飯倉公館"), "tokyo"),
    "kantei": (
        (
            "the Prime Minister's Office",
            "the Prime Minister\u2019s Office",
            "総理大臣官邸",
        ),
        "tokyo",
    ),
    "osaka": (("Osaka", "大阪"), "japan"),
    "kyoto": (("Kyoto", "京都"), "japan"),
    "hiroshima": (("Hiroshima", "広島"), "japan"),
    "united_states": (
        ("the United States", "the United States of America", "米国", "アメリカ合衆国"),
        None,
    ),
    "washington": (
        (
            "Washington, D.C.",
            "Washington D.C.",
            "Washington",
            "ワシントンD.C.",
            "ワシントン",
        ),
        "united_states",
    ),
    "new_york": (("New York", "ニューヨーク"), "united_states"),
    "canada": (("Canada", "カナダ"), None),
    "ottawa": (("Ottawa", "オタワ"), "canada"),
    "australia": (("Australia", "オーストラリア", "豪州"), None),
    "canberra": (("Canberra", "キャンベラ"), "australia"),
    "new_zealand": (("New Zealand", "ニュージーランド"), None),
    "wellington": (("Wellington", "ウェリントン"), "new_zealand"),
    "belgium": (("Belgium", "ベルギー"), None),
    "brussels": (("Brussels", "ブリュッセル"), "belgium"),
    "indonesia": (("Indonesia", "インドネシア"), None),
    "jakarta": (("Jakarta", "ジャカルタ"), "indonesia"),
    "philippines": (("the Philippines", "フィリピン"), None),
    "manila": (("Manila", "マニラ"), "philippines"),
    "united_kingdom": (("the United Kingdom", "英国"), None),
    "london": (("London", "ロンドン"), "united_kingdom"),
    "france": (("France", "フランス"), None),
    "paris": (("Paris", "パリ"), "france"),
    "switzerland": (("Switzerland", "スイス"), None),
    "geneva": (("Geneva", "ジュネーブ"), "switzerland"),
    "china": (("China", "中国"), None),
    "beijing": (("Beijing", "北京"), "china"),
    "korea": (("the Republic of Korea", "韓国"), None),
    "seoul": (("Seoul", "ソウル"), "korea"),
}


class Agreement(enum.Enum):
    SAME = "same"  # the same place, or one lies within the other
    DIFFERENT = "different"
    NOT_COMPARABLE = "not comparable"  # a place the table does not know


def _normal(name: str) -> str:
    """NFKC, case-folded, without a leading "the", spaces and punctuation."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"[\s.,'\u2019\-・]", "", text)


_BY_NAME = {_normal(name): key for key, (names, _) in _PLACES.items() for name in names}


def place_key(name: str) -> str | None:
    """The table's key of a place name in either language, or None when unknown.

    A Japanese name may put the country first (「米国ニューヨーク」): a known place
    written after a known place it lies in is the inner one."""
    text = _normal(name)
    if text in _BY_NAME:
        return _BY_NAME[text]
    for cut in range(1, len(text)):
        outer, inner = _BY_NAME.get(text[:cut]), _BY_NAME.get(text[cut:])
        if outer is not None and inner is not None and outer in _within(inner):
            return inner
    return None


def compare_places(japanese: str, english: str) -> Agreement:
    """How the place of the Japanese version stands to that of the English one."""
    if _normal(japanese) == _normal(english):
        return Agreement.SAME
    ja, en = place_key(japanese), place_key(english)
    if ja is None or en is None:
        return Agreement.NOT_COMPARABLE
    if ja in _within(en) or en in _within(ja):
        return Agreement.SAME
    return Agreement.DIFFERENT


def _within(key: str) -> list[str]:
    """The place and every place it lies in, innermost first."""
    chain: list[str] = []
    current: str | None = key
    while current is not None and current not in chain:
        chain.append(current)
        current = _PLACES[current][1]
    return chain
