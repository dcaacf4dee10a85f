"""crawler.extract.listing: the Japanese edition's era-year archive pages."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.extract import listing

BASE = "https://www.mofa.go.jp"
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("path", "year", "month", "conference"),
    [
        ("/mofaj/press/release/6_3_index.html", 2024, 3, False),
        ("/mofaj/press/release/7_04_index.html", 2025, 4, False),
        ("/mofaj/press/release/r1_5_index.html", 2019, 5, False),
        ("/mofaj/press/kaiken/gaisho/6_11_index.html", 2024, 11, True),
    ],
)
def test_era_year_forms_give_their_month(path, year, month, conference):
    link = listing.archive_link(BASE + path)
    assert link is not None
    assert (link.year, link.month, link.is_conference) == (year, month, conference)


@pytest.mark.parametrize(
    "path",
    [
        "/mofaj/press/release/6_13_index.html",  # no 13th month
        "/mofaj/press/release/0_3_index.html",  # no Reiwa 0
        "/mofaj/press/release/2023/12.html",  # the year-folder form: not followed
        "/mofaj/press/release/index.html",
        "/mofaj/press/release/pressit_000001_00873.html",
        "/press/release/6_3_index.html",  # the English edition has its own forms
        "/mofaj/na/na1/us/6_3_index.html",  # not a press folder
    ],
)
def test_other_pages_are_not_japanese_archives(path):
    assert listing.archive_link(BASE + path) is None


def test_the_english_forms_stay_listings():
    link = listing.archive_link(BASE + "/press/kaiken/pc_202403_index.html")
    assert link is not None
    assert (link.year, link.month, link.is_conference) == (2024, 3, True)


def test_links_on_a_page_are_resolved_once_each_in_page_order():
    html = (
        '<a href="6_3_index.html">令和6年3月</a>'
        "<a href='/mofaj/press/release/3_11_index.html'>令和3年11月</a>"
        '<a href="https://www.mofa.go.jp/mofaj/press/release/6_3_index.html">again</a>'
        '<a href="https://elsewhere.example/mofaj/press/release/5_1_index.html">x</a>'
        '<a href="/mofaj/press/release/pressit_000001_00873.html">a readout</a>'
    )
    page = BASE + "/mofaj/press/release/index.html"
    links = listing.parse_index(html, page, base_url=BASE, today=TODAY).archives
    assert [(link.year, link.month) for link in links] == [(2024, 3), (2021, 11)]
    assert links[0].url == BASE + "/mofaj/press/release/6_3_index.html"


def test_undated_entries_of_an_era_archive_take_its_year():
    html = (
        "<dl><dt>12月28日</dt><dd><ul><li>"
        "<a href='/mofaj/press/release/pressit_000001_00001.html'>日米外相会談</a>"
        "</li></ul></dd></dl>"
    )
    page = BASE + "/mofaj/press/release/3_12_index.html"  # 令和3年12月
    (listed,) = listing.parse_index(html, page, base_url=BASE, today=TODAY).documents
    assert listed.listed_on == date(2021, 12, 28)
