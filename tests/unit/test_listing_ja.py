"""crawler.extract.listing on Japanese index pages: id families and Japanese dates."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.contract import Language, entry_paths, path_language
from crawler.extract import listing

BASE = "https://www.mofa.go.jp"
INDEX = f"{BASE}/mofaj/press/release/index.html"


def _page(*entries: tuple[str, str]) -> str:
    items = "".join(
        f"<dt class='list-title'>{dt}</dt><dd><ul class='link-list'>"
        f"<li><a href='{href}'>日米外相会談</a></li></ul></dd>"
        for dt, href in entries
    )
    return (
        "<html><body><div id='maincontents'><div id='pressrelease'>"
        f"<dl class='title-list'>{items}</dl></div></div></body></html>"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/mofaj/press/release/press1_000813.html",
        "/mofaj/press/release/press4_002048.html",
        "/mofaj/press/release/pressit_000001_04224.html",
        "/mofaj/press/kaiken/kaiken4_000123.html",
        "/mofaj/press/kaiken/kaikenit_000001_00046.html",
        "/mofaj/press/kaiken/kaikenw_000001_00002.html",
        "/mofaj/na/na1/us/pageit_000001_01237.html",
        "/mofaj/a_o/na/kr/page4_001664.html",
    ],
)
def test_japanese_id_families_are_detail_pages(path):
    doc_id = path.rsplit("/", 1)[1].removesuffix(".html")
    assert listing.detail_doc_id(BASE + path) == doc_id


def test_japanese_list_page_is_not_a_detail_page():
    assert listing.detail_doc_id(INDEX) is None
    assert listing.detail_doc_id(f"{BASE}/mofaj/press/release/pressit_1.html") is None


def test_month_day_dates_take_the_year_before_across_the_new_year():
    html = _page(
        ("1月6日", "/mofaj/press/release/pressit_000001_00002.html"),
        (
            "\uff11\uff12月\uff12\uff18日\uff08土曜日\uff09",
            "/mofaj/press/release/pressit_000001_00001.html",
        ),
    )
    page = listing.parse_index(html, INDEX, base_url=BASE, today=date(2025, 1, 8))
    assert [d.listed_on for d in page.documents] == [
        date(2025, 1, 6),
        date(2024, 12, 28),
    ]


def test_era_dates_with_the_year_need_no_reference():
    html = _page(
        ("令和7年4月30日", "/mofaj/press/release/pressit_000001_00003.html"),
        ("令和元年5月7日", "/mofaj/press/release/press4_000004.html"),
        ("2024年3月4日", "/mofaj/press/release/press1_000005.html"),
    )
    page = listing.parse_index(html, INDEX, base_url=BASE, today=date(2026, 12, 2))
    assert [d.listed_on for d in page.documents] == [
        date(2025, 4, 30),
        date(2019, 5, 7),
        date(2024, 3, 4),
    ]


def test_a_date_in_the_link_text_wins_and_an_impossible_one_is_none():
    html = (
        "<dl class='title-list'><dt><a href='/mofaj/press/kaiken/"
        "kaikenit_000001_00046.html'>外務大臣会見\uff08令和7年2月12日\uff08水曜日"
        "\uff0916時18分\uff09</a>"
        "</dt><dd></dd><dt class='list-title'>2月30日</dt><dd><ul><li><a href="
        "'/mofaj/press/release/pressit_000001_00009.html'>x</a></li></ul></dd></dl>"
    )
    page = listing.parse_index(html, INDEX, base_url=BASE, today=date(2025, 3, 1))
    assert [d.listed_on for d in page.documents] == [date(2025, 2, 12), None]


def test_languages_choose_the_entry_pages():
    english = entry_paths("press_releases", (Language.EN,))
    japanese = entry_paths("press_releases", (Language.JA,))
    both = entry_paths("press_releases", (Language.EN, Language.JA))
    assert english == ("/press/release/index.html",)
    assert japanese == ("/mofaj/press/release/index.html",)
    assert both == english + japanese
    assert entry_paths("statements", (Language.JA,)) == ()
    assert path_language("/mofaj/press/release/index.html") is Language.JA
    assert path_language("/press/release/index.html") is Language.EN
