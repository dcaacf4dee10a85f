"""Meeting facts of a Japanese readout's lead sentence (after NFKC normalisation).

「7月28日、午前10時から約45分間、桜田健二外務大臣は、クレア・ホイットフィールド・
カナダ外務大臣と電話会談を行いました。」: times as 午前/午後 H時M分 (から 同H時M分まで),
durations as 約N分間 or 約N時間M分, participants as name + role (a Japanese official
in kanji with a Japanese role; a counterpart in katakana, then the country, then
the role).
"""

from __future__ import annotations

import logging
import re

from crawler.extract.document import Meeting, Participant

logger = logging.getLogger(__name__)

_JA_TIME = r"(午前|午後)(\d{1,2})時(?:(\d{1,2})分|(半))?"
_START = re.compile(_JA_TIME)
_FROM_TO = re.compile(
    _JA_TIME + r"から(?:(午前|午後)|同)?(\d{1,2})時(?:(\d{1,2})分|(半))?まで"
)
_JST = re.compile(r"日本時間[^、。\uff09)]*?" + _JA_TIME)
_HOURS = re.compile(r"約?(\d+)時間(?:(\d+)分)?")
# 「ワシントンD.C.において」「訪問中の米国ニューヨークにて」「外務省において」: the
# run before において/にて, unless it names an occasion (「会談において」), not a place.
# (The lead is NFKC-normalised: its parentheses are ASCII.)
_PLACE = re.compile(
    r"(?:^|[、。)\s])(?:訪問中の|訪問先の)?(?P<place>[^、。「」()\s]{1,24}?)"
    r"(?:において|にて)"
)
_OCCASIONS = (
    "会談", "会議", "会合", "会見", "協議", "対話", "場", "際", "機会", "中", "席",
)  # fmt: skip
_MINUTES = re.compile(r"約?(\d+)分間")

_JAPAN_ROLES = (
    "内閣総理大臣", "総理大臣", "外務大臣政務官", "外務副大臣", "外務事務次官",
    "外務審議官", "外務大臣", "内閣官房長官", "官房長官", "防衛大臣", "経済産業大臣",
    "副大臣", "政務官", "大臣", "大使", "局長", "首相",
)  # fmt: skip
_COUNTERPART_ROLES = (
    "国務副長官", "国務長官", "商務長官", "国防長官", "財務長官", "副大統領", "大統領",
    "副首相", "首相", "外務大臣", "外交部長官", "外交部長", "外相", "国会議長",
    "上院議長",
    "下院議長", "議長", "国王", "皇太子", "首長", "事務総長", "総裁", "大使",
    "長官", "総理大臣", "大臣",
)  # fmt: skip
_COUNTRIES = (
    "米国", "豪州", "英国", "中国", "韓国", "欧州連合", "EU", "アメリカ合衆国",
    "カナダ", "ブラジル", "ハンガリー", "ノルウェー", "フィンランド", "オマーン",
    "ポーランド", "インド", "ガーナ", "チリ", "フランス", "ドイツ", "イタリア",
    "インドネシア", "オーストラリア", "ニュージーランド", "フィリピン", "ベトナム",
    "タイ", "シンガポール", "マレーシア", "メキシコ", "ペルー", "アルゼンチン",
    "トルコ", "サウジアラビア", "エジプト", "ナイジェリア", "ケニア", "南アフリカ",
    "ウクライナ", "ロシア", "デンマーク", "スウェーデン", "オランダ", "ベルギー",
    "スペイン", "ポルトガル", "スイス", "オーストリア", "チェコ", "ヨルダン",
    "イスラエル", "イラン", "カタール", "アラブ首長国連邦", "モンゴル", "カンボジア",
    "ラオス", "ミャンマー", "バングラデシュ", "パキスタン", "スリランカ", "英",
    "仏", "独", "伊", "加", "印", "豪", "米", "中", "韓",
)  # fmt: skip
_KANA = r"[\u30a1-\u30fa\u30fc]+"
_KANJI = r"[\u4e00-\u9fff\u3005]"


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_FORMAL = (
    r"(?:連邦民主共和国|民主共和国|人民共和国|連邦共和国|共和国|連合王国|王国|連邦"
    r"|合衆国|首長国)"
)
_COUNTRY = rf"(?:{_alternation(_COUNTRIES)}){_FORMAL}?"
# a counterpart's role may be any kanji run ending in 大臣 ("外務・地域統合大臣")
_FOREIGN_ROLE = (
    rf"(?:{_alternation(_COUNTERPART_ROLES)}|[\u4e00-\u9fff・]{{1,10}}?大臣)"
)
_PERSON = re.compile(
    rf"(?P<kana>{_KANA}(?:[・=]{_KANA})*?)・?(?P<kcountry>{_COUNTRY})?"
    rf"(?P<krole>{_FOREIGN_ROLE})"
    rf"|(?<!{_KANJI})(?P<kanji>{_KANJI}{{2,5}}?)(?:(?P<country>{_COUNTRY})"
    rf"(?P<frole>{_FOREIGN_ROLE})|(?P<jrole>{_alternation(_JAPAN_ROLES)}))"
)


def parse_ja(fmt: str, lead: str) -> Meeting:
    """The facts of a Japanese lead sentence of a readout of format `fmt`."""
    local, end = _start_and_end(lead)
    jst_match = _JST.search(lead)
    if jst_match is not None:
        jst = _hhmm(*jst_match.groups())
    else:
        jst = None if "現地時間" in lead else local
    people = _participants(lead)
    country = next((c for _, c in people if c), None)
    return Meeting(
        format=fmt,
        started_at_local=local,
        started_at_jst=jst,
        duration_minutes=_duration(lead, local, end),
        location=_place(lead),
        participants=tuple(p for p, _ in people),
        counterpart_country=country,
    )


def _place(lead: str) -> str | None:
    for match in _PLACE.finditer(lead):
        place = match.group("place")
        if not place.endswith(_OCCASIONS):
            return place
    return None


def _start_and_end(lead: str) -> tuple[str | None, str | None]:
    match = _FROM_TO.search(lead)
    if match is not None:
        ampm, hour, minute, half, ampm2, hour2, minute2, half2 = match.groups()
        return _hhmm(ampm, hour, minute, half), _hhmm(
            ampm2 or ampm, hour2, minute2, half2
        )
    match = _START.search(lead)
    return (_hhmm(*match.groups()) if match else None), None


def _duration(lead: str, start: str | None, end: str | None) -> int | None:
    if start is not None and end is not None:
        minutes = (
            int(end[:2]) * 60 + int(end[3:]) - int(start[:2]) * 60 - int(start[3:])
        )
        return minutes % (24 * 60)
    hours = _HOURS.search(lead)
    if hours is not None:
        return int(hours.group(1)) * 60 + int(hours.group(2) or 0)
    found = _MINUTES.search(lead)
    return int(found.group(1)) if found else None


def _hhmm(ampm: str, hour: str, minute: str | None, half: str | None) -> str | None:
    h = int(hour)
    if h > 12:
        return None
    h = h % 12 + (12 if ampm == "午後" else 0)
    return f"{h:02d}:{30 if half else int(minute or 0):02d}"


def _participants(lead: str) -> list[tuple[Participant, str | None]]:
    """(participant, counterpart's country) in the order they are named."""
    found: list[tuple[Participant, str | None]] = []
    names: set[str] = set()
    for match in _PERSON.finditer(lead):
        if match.group("kana"):
            name, country = match.group("kana"), match.group("kcountry")
            role, side = (country or "") + match.group("krole"), "counterpart"
        elif match.group("jrole"):
            name, country, role = match.group("kanji"), None, match.group("jrole")
            side = "japan"
        else:
            name, country = match.group("kanji"), match.group("country")
            role, side = country + match.group("frole"), "counterpart"
        if name in names:
            continue
        names.add(name)
        found.append((Participant(name=name, role=role, side=side), country))
    return found
