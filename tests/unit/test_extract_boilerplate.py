"""Site furniture (crawler/extract/boilerplate.py): the lines it knows, in English and
Japanese, the lines it must leave alone, and what the walk does with them on both
paths: left out wherever they sit, the text after them kept."""

from __future__ import annotations

import pytest

from crawler.extract.boilerplate import Furniture, furniture, repeated
from crawler.extract.extractor import ExtractionPath, extract, extract_with_report

URL = "https://www.mofa.go.jp/press/release/pressite_000001_07002.html"
URL_JA = "https://www.mofa.go.jp/mofaj/press/release/pressit_000001_07002.html"
LEAD = (
    "On June 3, Ms. KAMIYA Yuko, Minister for Foreign Affairs of Japan, held a "
    "meeting with H.E. Mr. Arvid Lund, Minister for Foreign Affairs of the Kingdom "
    "of Norway."
)
POINT = "The two ministers agreed to cooperate on offshore wind power."
LEAD_JA = (
    "6月3日、神谷裕子外務大臣は、アルヴィド・ルンド・ノルウェー外務大臣と"
    "会談を行いました。"
)
POINT_JA = "両外相は、洋上風力発電分野での協力で一致しました。"


@pytest.mark.parametrize(
    "line",
    [
        "Page Top",
        "[Page Top]",
        "Back to Top",
        "Back to top of page",
        "▲ Page top",
        "ページの先頭へ戻る",
        "ページトップへ戻る",
        "このページのトップへ戻る",
        "Print",
        "Print this page | Share",
        "Facebook Twitter LINE",
        "Share on X",
        "ポスト・シェア・LINEで送る",
        "このページを印刷する",
        "Adobe Acrobat Reader is required to view PDF files.",
        "Get Adobe Acrobat Reader",
        "PDFファイルを御覧いただくには、Adobe Acrobat Reader\uff08PDF閲覧ソフト\uff09"
        "が必要です。",
        "JavaScript is disabled in your browser. Please enable it.",
        "JavaScriptを有効にしてご覧ください。",
        "Skip to main content",
        "Top > Press Releases > Japan-Norway Meeting",
        "Back to Press Releases",
        "報道発表へ戻る",
        "Copyright © Ministry of Foreign Affairs of Japan",
    ],
)
def test_furniture_lines_in_english_and_japanese(line):
    assert furniture(line) is Furniture.LINE


@pytest.mark.parametrize("line", ["Related Links", "Related links:", "【関連リンク】"])
def test_a_related_links_heading_starts_a_block(line):
    assert furniture(line) is Furniture.RELATED


@pytest.mark.parametrize(
    "line",
    [
        LEAD,
        POINT,
        LEAD_JA,
        "X",
        "LINE",
        "Post-war reconstruction",
        "The two ministers shared the view that the printing of the report helps.",
        "The joint statement (PDF) was issued by the two ministers today.",
        "Top officials met in Oslo.",
        "The two sides discussed related issues.",
        # a paragraph that names the reader software is no notice when it is long
        "The ministers agreed " * 14 + "that Adobe PDF files are used.",
    ],
)
def test_content_lines_are_no_furniture(line):
    assert furniture(line) is None


def test_short_lines_that_repeat_are_furniture_but_sentences_and_headings_not():
    lines = [
        ("Subscribe to the MOFA e-mail magazine", False),
        ("Overview", True),
        (LEAD, False),
        ("Thank you.", False),
        ("Overview", True),
        ("Thank you.", False),
        ("Subscribe to the MOFA e-mail magazine", False),
        ("Yes", False),
    ]
    assert repeated(lines) == {"Subscribe to the MOFA e-mail magazine"}


def _page(inner: str, lang: str = "en") -> str:
    return (
        f"<html lang='{lang}'><head><title>T</title></head><body>"
        f"<div id='maincontents'>{inner}</div></body></html>"
    )


def test_page_top_between_sections_no_longer_ends_the_body():
    inner = (
        "<h1>Japan-Norway Foreign Ministers\u2019 Meeting</h1><p>June 3, 2024</p>"
        f"<p>{LEAD}</p><p class='x'><a href='#top'>Page Top</a></p><p>{POINT}</p>"
        "<p><a href='#top'>ページの先頭へ戻る</a></p>"
    )
    assert extract(_page(inner), URL).body == (LEAD, POINT)


def test_related_links_are_left_out_and_the_text_after_them_kept():
    inner = (
        "<h1>Japan-Norway Foreign Ministers\u2019 Meeting</h1><p>June 3, 2024</p>"
        f"<p>{LEAD}</p><h3>Related Links</h3><ul><li><a href='/no/'>Japan-Norway "
        "Relations</a></li><li><a href='/eu/'>Europe</a></li></ul>"
        f"<p>{POINT}</p>"
    )
    assert extract(_page(inner), URL).body == (LEAD, POINT)


def test_a_reader_badge_and_notice_are_neither_body_nor_caption():
    inner = (
        "<h1>日・ノルウェー外相会談</h1><p>令和6年6月3日</p>"
        f"<p>{LEAD_JA}</p><div class='y'><a href='https://get.adobe.com/jp/reader/'>"
        "<img src='/img/get_reader.png' alt='Get Adobe Acrobat Reader'></a>"
        "<p>PDFファイルを御覧いただくには、Adobe Acrobat Reader"
        f"\uff08PDF閲覧ソフト\uff09が必要です。</p></div><p>{POINT_JA}</p>"
    )
    doc = extract(_page(inner, "ja"), URL_JA)
    assert (doc.body, doc.captions) == ((LEAD_JA, POINT_JA), ())


def test_without_landmarks_a_share_bar_and_a_repeated_banner_stay_out():
    banner = "<p>Subscribe to the MOFA e-mail magazine</p>"
    share = (
        "<ul><li><a href='/x'>Post</a></li><li><a href='/f'>Share</a></li>"
        "<li><a href='/p'>Print</a></li></ul>"
    )
    inner = (
        f"<div><div><h1>Japan-Norway Foreign Ministers\u2019 Meeting</h1>{share}"
        f"<p>June 3, 2024</p>{banner}<p>{LEAD}</p><p>{POINT}</p>{banner}</div></div>"
    )
    html = f"<html><head><title>T</title></head><body>{inner}</body></html>"
    doc, report = extract_with_report(html, URL)
    assert report.path is ExtractionPath.STRUCTURE
    assert (doc.date, doc.body) == ("2024-06-03", (LEAD, POINT))
