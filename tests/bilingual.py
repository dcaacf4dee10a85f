"""The bilingual simulated site: the fixture site plus Japanese readouts and the
English versions that follow them a cycle later (pages built from fixture templates).

- Baseline: the fixture site's two Japanese pages (one in Shift_JIS), both linked to
  their English pages; a readout with no English version (NO_ENGLISH, Shift_JIS);
  the Japanese side of the disagreeing pair (DISAGREE_JA).
- publish_japanese: a new Japanese readout (READOUT_JA), no language link.
- publish_english: READOUT_EN (no link: paired by its facts, which agree) and
  DISAGREE_EN (links to DISAGREE_JA; start 1:30 p.m. and 45 minutes against
  午後1時45分 and 約60分間).
- resolve_disagreement: DISAGREE_EN corrected to 1:45 p.m. and 60 minutes.
- reiwa_archives: the Japanese release index links two archive pages in the era-year
  form, 令和6年3月 (REIWA_ARCHIVE, listing ARCHIVED_JA, linked from nowhere else)
  and 令和3年11月 (OLD_ARCHIVE, before the default `since` 2022-01, listing OLD_JA).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.sitesim import SiteSim

JA_TEMPLATE = "/mofaj/press/release/pressit_000001_00873.html"
EN_TEMPLATE = "/press/release/pressite_000001_00412.html"
JA_INDEX = "/mofaj/press/release/index.html"
EN_INDEX = "/press/release/index.html"

NO_ENGLISH = "/mofaj/press/release/pressit_000001_00980.html"
DISAGREE_JA = "/mofaj/press/release/pressit_000001_00985.html"
READOUT_JA = "/mofaj/press/release/pressit_000001_00990.html"
DISAGREE_EN = "/press/release/pressite_000001_00520.html"
READOUT_EN = "/press/release/pressite_000001_00521.html"

REIWA_ARCHIVE = "/mofaj/press/release/6_3_index.html"
ARCHIVED_JA = "/mofaj/press/release/pressit_000001_00850.html"
OLD_ARCHIVE = "/mofaj/press/release/3_11_index.html"
OLD_JA = "/mofaj/press/release/pressit_000001_00120.html"

JA_LEAD = (
    "3月4日、午前8時10分から約20分間、桜田健二外務大臣は、"
    "クレア・ホイットフィールド・カナダ外務大臣と電話会談を行ったところ、"
)
EN_LEAD = (
    "On March 4, commencing at 8:10 a.m. for approximately 20 minutes, "
    "Mr. SAKURADA Kenji, Minister for Foreign Affairs of Japan, held a telephone "
    "talk with the Honourable Claire Whitfield, Minister of Foreign Affairs of Canada."
)


@dataclass(frozen=True)
class Talk:
    """One telephone talk in both languages."""

    day: int  # of April 2024
    ja_title: str
    ja_country: str
    ja_name: str
    en_title: str
    en_country: str
    en_name: str


FIJI = Talk(
    5, "日・フィジー外相電話会談", "フィジー", "ピオ・ティコドゥアドゥア", "", "", ""
)
NEW_ZEALAND = Talk(
    8,
    "日・ニュージーランド外相電話会談",
    "ニュージーランド",
    "ウィンストン・ピーターズ",
    "Japan-New Zealand Foreign Ministers\u2019 Telephone Talk",
    "New Zealand",
    "Winston Peters",
)
AUSTRALIA = Talk(
    10,
    "日・オーストラリア外相電話会談",
    "オーストラリア",
    "ペニー・ウォン",
    "Japan-Australia Foreign Ministers\u2019 Telephone Talk",
    "Australia",
    "Penny Wong",
)

CHILE = Talk(1, "日・チリ外相電話会談", "チリ", "アナ・トレス", "", "", "")


def japanese_page(site: SiteSim, talk: Talk, *, start: str, minutes: int) -> str:
    """A Japanese readout of the talk (no English link), start like 午後1時45分."""
    page = site.read_page(JA_TEMPLATE)
    lead = (
        f"4月{talk.day}日、{start}から約{minutes}分間、桜田健二外務大臣は、"
        f"{talk.ja_name}・{talk.ja_country}外務大臣と電話会談を行ったところ、"
    )
    return (
        page.replace("日・カナダ外相電話会談", talk.ja_title)
        .replace("令和6年3月4日", f"令和6年4月{talk.day}日")
        .replace(JA_LEAD, lead)
        .replace(
            '<p class="rightalign"><a href="/press/release/pressite_000001_00412.html">'
            "English</a></p>\n",
            "",
        )
    )


def english_page(
    site: SiteSim, talk: Talk, *, start: str, minutes: int, japanese: str | None
) -> str:
    """An English readout of the talk, start like "1:45 p.m."; linked when given."""
    page = site.read_page(EN_TEMPLATE)
    lead = (
        f"On April {talk.day}, commencing at {start} for approximately {minutes} "
        "minutes, Mr. SAKURADA Kenji, Minister for Foreign Affairs of Japan, held a "
        f"telephone talk with the Honourable {talk.en_name}, Minister of Foreign "
        f"Affairs of {talk.en_country}."
    )
    link = (
        f'<p class="rightalign"><a href="{japanese}">Japanese</a></p>'
        if japanese
        else ""
    )
    return (
        page.replace(
            "Japan-Canada Foreign Ministers\u2019 Telephone Talk", talk.en_title
        )
        .replace("March 4, 2024", f"April {talk.day}, 2024")
        .replace(EN_LEAD, lead)
        .replace(
            '<p class="rightalign"><a href="/mofaj/press/release/'
            'pressit_000001_00873.html">Japanese</a></p>',
            link,
        )
    )


def list_page(site: SiteSim, heading: str, items: str) -> str:
    """A Japanese list page in the release index's template."""
    page = site.read_page(JA_INDEX)
    start = page.index('<h1 class="title1">')
    end = page.index("</dl>") + len("</dl>")
    content = f'<h1 class="title1">{heading}</h1>\n{items}'
    return page[:start] + content + page[end:].replace("報道発表", heading)


def bilingual_baseline(site: SiteSim) -> None:
    """Add the baseline's Japanese pages to a fixture site (before its first crawl)."""
    site.write_page(
        "/mofaj/press/kaiken/gaisho/index.html",
        list_page(site, "外務大臣会見", '<dl class="title-list">\n</dl>'),
    )
    site.write_page(
        "/mofaj/na/na1/us/index.html",
        list_page(site, "アメリカ合衆国", '<ul class="link-list"></ul>'),
    )
    fiji = japanese_page(site, FIJI, start="午前10時", minutes=30)
    fiji = fiji.replace('<meta charset="UTF-8">', '<meta charset="Shift_JIS">')
    _add(site, NO_ENGLISH, fiji.encode("shift_jis"), JA_INDEX, FIJI.ja_title, FIJI)
    page = japanese_page(site, NEW_ZEALAND, start="午後1時45分", minutes=60)
    _add(site, DISAGREE_JA, page, JA_INDEX, NEW_ZEALAND.ja_title, NEW_ZEALAND)


def reiwa_archives(site: SiteSim) -> None:
    """Two era-year archive pages linked from the Japanese release index only."""
    for archive, path, talk, heading in (
        (REIWA_ARCHIVE, ARCHIVED_JA, CHILE, "報道発表 令和6年3月"),
        (OLD_ARCHIVE, OLD_JA, FIJI, "報道発表 令和3年11月"),
    ):
        site.write_page(path, japanese_page(site, talk, start="午前9時", minutes=15))
        items = (
            '<dl class="title-list">\n<dt class="list-title">3月1日</dt>\n'
            f'<dd><ul class="link-list"><li><a href="{path}">{talk.ja_title}</a>'
            "</li></ul></dd>\n</dl>"
        )
        site.write_page(archive, list_page(site, heading, items))
    site.edit_page(
        JA_INDEX,
        "</dl>\n</div>",
        '</dl>\n</div>\n<h2>過去の報道発表</h2>\n<ul class="link-list">'
        f'<li><a href="{REIWA_ARCHIVE.rsplit("/", 1)[1]}">令和6年3月</a></li>'
        f'<li><a href="{OLD_ARCHIVE}">令和3年11月</a></li></ul>',
    )


def publish_japanese(site: SiteSim) -> None:
    page = japanese_page(site, AUSTRALIA, start="午後1時45分", minutes=60)
    _add(site, READOUT_JA, page, JA_INDEX, AUSTRALIA.ja_title, AUSTRALIA)


def publish_english(site: SiteSim) -> None:
    page = english_page(
        site, NEW_ZEALAND, start="1:30 p.m.", minutes=45, japanese=DISAGREE_JA
    )
    _add(site, DISAGREE_EN, page, EN_INDEX, NEW_ZEALAND.en_title, NEW_ZEALAND)
    page = english_page(site, AUSTRALIA, start="1:45 p.m.", minutes=60, japanese=None)
    _add(site, READOUT_EN, page, EN_INDEX, AUSTRALIA.en_title, AUSTRALIA)


def resolve_disagreement(site: SiteSim) -> None:
    site.edit_page(
        DISAGREE_EN,
        "commencing at 1:30 p.m. for approximately 45 minutes",
        "commencing at 1:45 p.m. for approximately 60 minutes",
    )


def _add(
    site: SiteSim, path: str, page: str | bytes, index: str, text: str, talk: Talk
) -> None:
    date = (
        f"令和6年4月{talk.day}日"
        if index.startswith("/mofaj/")
        else f"April {talk.day}"
    )
    site.add_page(path, page, index_path=index, link_text=text, index_date=date)
