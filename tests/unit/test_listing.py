"""crawler.extract.listing: index pages of the sample site and the tricky date cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.extract import listing

# Unchanged copies of index pages of the shared sample site (tests/fixtures/README.md).
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample-site"
BASE = "https://www.mofa.go.jp"


def _page(body: str) -> str:
    return f"<html><body><div id='maincontents'>{body}</div></body></html>"


def _dl(*entries: tuple[str, str]) -> str:
    items = "".join(
        f"<dt class='list-title'>{dt}</dt><dd><ul class='link-list'>"
        f"<li><a href='{href}'>Title {href}</a></li></ul></dd>"
        for dt, href in entries
    )
    return f"<dl class='title-list'>{items}</dl>"


def test_release_archive_dates_take_the_year_of_the_archive_month():
    html = _page(
        _dl(
            ("July 29", "/na/na1/us/page4e_001274.html"),
            ("July 1", "/press/release/pressite_000001_01462.html"),
        )
    )
    page = listing.parse_index(
        html,
        f"{BASE}/press/release/202207_index.html",
        base_url=BASE,
        today=date(2026, 11, 23),
    )
    assert [(d.url, d.listed_on) for d in page.documents] == [
        (f"{BASE}/na/na1/us/page4e_001274.html", date(2022, 7, 29)),
        (f"{BASE}/press/release/pressite_000001_01462.html", date(2022, 7, 1)),
    ]


def test_december_entries_on_the_january_index_belong_to_the_previous_year():
    html = _page(
        _dl(
            ("January 3", "/press/release/press4e_000001.html"),
            ("December 28", "/press/release/press4e_000002.html"),
        )
    )
    page = listing.parse_index(
        html, f"{BASE}/press/release/index.html", base_url=BASE, today=date(2027, 1, 5)
    )
    assert [d.listed_on for d in page.documents] == [
        date(2027, 1, 3),
        date(2026, 12, 28),
    ]


def test_december_on_a_january_archive_page_rolls_back_a_year():
    html = _page(_dl(("December 31", "/press/release/press4e_000009.html")))
    page = listing.parse_index(
        html,
        f"{BASE}/press/release/202401_index.html",
        base_url=BASE,
        today=date(2026, 11, 23),
    )
    assert page.documents[0].listed_on == date(2023, 12, 31)


def test_kaiken_index_link_text_gives_date_and_clean_title():
    html = (SAMPLE / "press/kaiken/index.html").read_text(encoding="utf-8")
    page = listing.parse_index(
        html, f"{BASE}/press/kaiken/index.html", base_url=BASE, today=date(2026, 11, 23)
    )
    (doc,) = page.documents
    assert doc.url == f"{BASE}/press/kaiken/kaiken24e_000136.html"
    assert doc.doc_id == "kaiken24e_000136"
    assert doc.listed_on == date(2022, 5, 23)
    assert (
        doc.title
        == "Extraordinary Press Conference by Foreign Minister HAYASHI Yoshimasa"
    )


def test_link_list_pages_carry_full_dates_in_parentheses():
    html = (SAMPLE / "na/na1/us/index.html").read_text(encoding="utf-8")
    page = listing.parse_index(
        html, f"{BASE}/na/na1/us/index.html", base_url=BASE, today=date(2026, 11, 23)
    )
    assert [(d.doc_id, d.listed_on) for d in page.documents] == [
        ("page1e_000678", date(2023, 5, 19)),
        ("press4e_003170", date(2022, 10, 25)),
        ("page4e_001274", date(2022, 7, 29)),
        ("page4e_001196", date(2022, 2, 11)),
    ]


def test_current_index_lists_its_documents_and_archive_links():
    html = (SAMPLE / "press/release/index.html").read_text(encoding="utf-8")
    page = listing.parse_index(
        html, f"{BASE}/press/release/index.html", base_url=BASE, today=date(2023, 5, 30)
    )
    assert [(d.doc_id, d.listed_on) for d in page.documents] == [
        ("page1e_000678", date(2023, 5, 19))
    ]
    assert [(a.year, a.month, a.is_conference) for a in page.archives] == [
        (2022, 10, False),
        (2022, 7, False),
        (2022, 2, False),
    ]


def test_statement_list_links_with_dates():
    html = _page(
        "<ul class='link-list'>"
        "<li><a href='/press/release/pressite_000001_02000.html'>"
        "Statement by the Foreign Minister (March 3, 2026)</a></li>"
        "<li><a href='/press/statement/fm_archives.html'>Archives</a></li></ul>"
    )
    page = listing.parse_index(
        html, f"{BASE}/press/statement/fm.html", base_url=BASE, today=date(2026, 11, 23)
    )
    (doc,) = page.documents
    assert doc.listed_on == date(2026, 3, 3)
    assert doc.title == "Statement by the Foreign Minister"


def test_fragments_dropped_off_host_and_non_detail_links_ignored():
    html = _page(
        "<a href='/press/kaiken/kaikenite_000001_00046.html#topic2'>a</a>"
        "<a href='/press/kaiken/kaikenite_000001_00046.html#topic3'>b</a>"
        "<a href='https://example.org/press/release/press4e_000001.html'>off</a>"
        "<a href='//evil.example/page4e_000001.html'>off</a>"
        "<a href='/press/index.html'>nav</a><a href='mailto:x@y'>m</a>"
        "<a href='/na/st/pageite_000001_00252.html'>st</a>"
        "<a href='/page4e_001123.html'>root</a>"
    )
    page = listing.parse_index(
        html, f"{BASE}/na/na1/us/index.html", base_url=BASE, today=date(2026, 11, 23)
    )
    assert [d.url for d in page.documents] == [
        f"{BASE}/press/kaiken/kaikenite_000001_00046.html",
        f"{BASE}/na/st/pageite_000001_00252.html",
        f"{BASE}/page4e_001123.html",
    ]


@pytest.mark.parametrize(
    ("path", "doc_id"),
    [
        ("/na/na1/us/page1e_000628.html", "page1e_000628"),
        ("/na/na1/us/page23e_000329.html", "page23e_000329"),
        ("/na/na1/us/pageite_000001_00106.html", "pageite_000001_00106"),
        ("/press/release/press6e_000363.html", "press6e_000363"),
        ("/press/release/pressite_000001_00154.html", "pressite_000001_00154"),
        ("/press/kaiken/kaiken22e_000001.html", "kaiken22e_000001"),
        ("/press/kaiken/kaikenwe_000001_00002.html", "kaikenwe_000001_00002"),
        ("/press/kaiken/kaikenite_000001_00046.html", "kaikenite_000001_00046"),
        ("/mofaj/press/release/press4_002048.html", "press4_002048"),
        ("/press/release/index.html", None),
        ("/press/release/press4e_00309.html", None),
    ],
)
def test_detail_id_families(path, doc_id):
    assert listing.detail_doc_id(BASE + path) == doc_id


def test_archive_links_recognized_for_both_sections():
    rel = listing.archive_link(f"{BASE}/press/release/202610_index.html")
    pc = listing.archive_link(f"{BASE}/press/kaiken/pc_202609_index.html")
    assert rel is not None
    assert (rel.year, rel.month, rel.is_conference) == (
        2026,
        10,
        False,
    )
    assert pc is not None
    assert (pc.year, pc.month, pc.is_conference) == (2026, 9, True)
    assert listing.archive_link(f"{BASE}/press/release/202613_index.html") is None
