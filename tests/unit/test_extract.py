"""Every fixture page against its hand-written expectation, plus targeted cases."""

from __future__ import annotations

import json
import re

import pytest

from crawler.extract.extractor import (
    ExtractionError,
    ExtractionPath,
    extract,
    extract_with_report,
)
from tests.conftest import FIXTURES

BASE = "https://www.mofa.go.jp/"
SITE = FIXTURES / "site"
EXPECTED = sorted((FIXTURES / "expected").rglob("*.json"))
BROKEN = {
    "press/release/pressite_000001_00455.html": "truncated",
    "press/release/pressite_000001_00457.html": "no body text",
}
NAV_TEXT = (
    "Back to",
    "Page Top",
    "Copyright",
    "Skip to main content",
    "Legal Matters",
    "Top >",
    "Top\xa0>",
    "Related Links",
    "FAQ",
    "Site Map",
    "へ戻る",
)


def _rel(expected_path):
    return expected_path.relative_to(FIXTURES / "expected").with_suffix(".html")


def _extract_page(rel):
    return extract((SITE / rel).read_bytes(), BASE + rel.as_posix())


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: str(_rel(p)))
def test_extract_matches_hand_written_expectation(expected_path):
    want = json.loads(expected_path.read_text(encoding="utf-8"))
    assert _extract_page(_rel(expected_path)).to_dict() == want


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: str(_rel(p)))
def test_extract_keeps_navigation_and_footer_out_of_the_document(expected_path):
    doc = _extract_page(_rel(expected_path)).to_dict()
    doc.pop("url")
    for text in _strings(doc):
        for nav in NAV_TEXT:
            assert nav not in text, (nav, text)


def test_every_linked_page_has_an_expectation_and_no_broken_page_is_linked():
    linked = set()
    for index in SITE.rglob("*.html"):
        text = index.read_text(encoding="utf-8", errors="replace")
        if 'class="title-list"' in text or 'class="link-list"' in text:
            linked.update(re.findall(r'href="/([^"#]+\.html)"', text))
    detail = {p for p in linked if not p.endswith(("index.html", "fm.html"))}
    detail = {p for p in detail if (SITE / p).exists()}
    expected = {str(_rel(p)) for p in EXPECTED}
    assert detail == expected
    assert not detail & set(BROKEN)


@pytest.mark.parametrize(("rel", "message"), sorted(BROKEN.items()))
def test_extract_raises_naming_the_problem_on_broken_pages(rel, message):
    with pytest.raises(ExtractionError, match=message):
        extract((SITE / rel).read_bytes(), BASE + rel)


def test_a_redesign_without_landmarks_is_read_by_its_structure():
    rel = "press/release/pressite_000001_00456.html"
    doc, report = extract_with_report((SITE / rel).read_bytes(), BASE + rel)
    assert report.path is ExtractionPath.STRUCTURE
    assert (doc.title, doc.date, doc.section) == (
        "Japan-Chile Foreign Ministers\u2019 Meeting",
        "2024-04-11",
        "News",
    )
    assert len(doc.body) == 2  # two <span> paragraphs
    assert doc.body[0].startswith("On April 11, Mr. SAKURADA Kenji")
    assert doc.body[1] == (
        "The two ministers agreed to strengthen cooperation on critical minerals."
    )
    assert "Copyright" not in " ".join(doc.body)


def test_a_page_without_landmarks_or_paragraph_text_names_what_is_missing():
    html = "<html><head><title>T</title></head><body><div>Short.</div></body></html>"
    with pytest.raises(ExtractionError, match="content area missing"):
        extract(html, BASE + "press/release/x.html")


def test_extract_raises_on_a_page_without_any_title_landmark():
    html = "<html><body><div id='maincontents'><p>Some text.</p></div></body></html>"
    with pytest.raises(ExtractionError, match="title missing"):
        extract(html, BASE + "press/release/x.html")


def test_extract_decodes_shift_jis_from_meta_and_from_http_charset():
    rel = "mofaj/press/release/press4_009321.html"
    raw = (SITE / rel).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    from_meta = extract(raw, BASE + rel)
    stripped = raw.replace(b'<meta charset="Shift_JIS">', b"")
    from_http = extract(stripped, BASE + rel, http_charset="shift_jis")
    detected = extract(stripped, BASE + rel)
    assert from_meta.title == "サントサ・インドネシア国会議長による桜田外務大臣表敬"
    assert from_http == from_meta
    assert detected.title == from_meta.title


def test_extract_prefers_http_charset_over_meta():
    html = '<html><head><meta charset="Shift_JIS"><title>x</title></head><body>'
    html += (
        '<div id="maincontents"><h1>Café talk</h1><p>Body café.</p></div></body></html>'
    )
    doc = extract(html.encode("utf-8"), BASE + "a.html", http_charset="utf-8")
    assert doc.title == "Café talk"
    assert doc.body == ("Body café.",)


def test_extract_reads_language_kind_and_doc_id_from_the_url():
    rel = "mofaj/press/release/pressit_000001_00873.html"
    doc = extract((SITE / rel).read_bytes(), BASE + rel)
    assert (doc.language, doc.kind, doc.doc_id) == (
        "ja",
        "press_release",
        "pressit_000001_00873",
    )
    file_doc = extract((SITE / rel).read_bytes(), (SITE / rel).as_uri())
    assert file_doc.kind == "page"


def test_extract_of_placeholder_has_empty_body_and_flag():
    rel = "press/kaiken/kaikenite_000001_00118.html"
    doc = extract((SITE / rel).read_bytes(), BASE + rel)
    assert doc.placeholder is True
    assert doc.body == ()
    assert doc.exchanges == ()


def test_extract_is_deterministic():
    rel = "press/kaiken/kaikenite_000001_00112.html"
    raw = (SITE / rel).read_bytes()
    assert extract(raw, BASE + rel).to_json() == extract(raw, BASE + rel).to_json()


def test_extract_accepts_str_input_like_bytes():
    rel = "na/na1/us/page4e_001274.html"
    raw = (SITE / rel).read_bytes()
    assert extract(raw.decode("utf-8"), BASE + rel) == extract(raw, BASE + rel)


def _page(inner, head="<title>T | Ministry of Foreign Affairs of Japan</title>"):
    return (
        f"<html><head>{head}</head><body><div id='maincontents'>{inner}</div>"
        "</body></html>"
    )


def test_list_numbers_follow_start_and_value_even_through_paragraphs():
    inner = (
        "<h1>T</h1><ol start='3'><li><p>para in item</p><ul><li>(1) sub</li></ul>"
        "</li><li value='9'>nine</li><li>ten</li></ol><ul><li>plain</li></ul>"
    )
    doc = extract(_page(inner), BASE + "a.html")
    assert doc.body == ("3. para in item", "(1) sub", "9. nine", "10. ten", "plain")


def test_deeply_nested_markup_raises_extraction_error():
    inner = "<h1>T</h1>" + "<div>" * 3000 + "deep" + "</div>" * 3000
    with pytest.raises(ExtractionError, match="nested too deeply"):
        extract(_page(inner), BASE + "a.html")


def test_title_falls_back_to_og_title_then_title_without_suffix():
    og = (
        "<meta property='og:title' content='From OG'><title>From title | 外務省</title>"
    )
    assert extract(_page("<p>x</p>", og), BASE + "a.html").title == "From OG"
    assert extract(_page("<p>x</p>"), BASE + "a.html").title == "T"


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("July 29, 2022", "2022-07-29"),
        ("Monday, May 23, 2022, 6:38 p.m. Happo-en Tokyo", "2022-05-23"),
        ("令和6年7月28日", "2024-07-28"),
        (
            "\uff08令和元年\uff15月\uff17日\uff08火曜日\uff09"
            "10時15分 於\uff1a本省会見室\uff09",
            "2019-05-07",
        ),
        ("平成31年4月30日", "2019-04-30"),
    ],
)
def test_date_line_shapes(line, iso):
    inner = f"<h1>T</h1><p>{line}</p><p>Body.</p>"
    doc = extract(_page(inner), BASE + "a.html")
    assert (doc.date, doc.body) == (iso, ("Body.",))


def test_disclaimer_video_and_language_links_leave_the_body():
    inner = (
        "<h1>T</h1><p><a href='https://video.example/1'>(Video) Talk</a></p>"
        "<p>(* This is a provisional translation by an external company for reference "
        "purpose only. The original text is in Japanese.)</p>"
        "<p><a href='/mofaj/a.html'>Japanese</a></p><p>Body.</p>"
    )
    doc = extract(_page(inner), BASE + "press/kaiken/a.html")
    assert doc.body == ("Body.",)
    assert doc.provisional_translation is True
    assert doc.japanese_url == BASE + "mofaj/a.html"


def _index_entries():
    """(index page, linked page, date text shown for it) from every index page."""
    from bs4 import BeautifulSoup

    for index in sorted(SITE.rglob("*.html")):
        soup = BeautifulSoup(index.read_bytes(), "lxml")
        for dt in soup.select("dl.title-list > dt.list-title"):
            dd = dt.find_next_sibling("dd")
            for a in dd.select("a[href]") if dd else ():
                yield index, a["href"], dt.get_text(strip=True)
        for a in soup.select("a[href]"):
            shown = re.search(r"\((\w+ \d{1,2}, \d{4})", a.get_text())
            if shown:
                yield index, a["href"], shown.group(1)


def test_index_pages_show_the_dates_of_the_pages_they_link():
    import datetime as dt

    from crawler.extract.extractor import parse_date

    checked = 0
    for index, href, shown in _index_entries():
        rel = href.lstrip("/")
        doc = extract((SITE / rel).read_bytes(), BASE + rel)
        assert doc.date is not None, href
        day = dt.date.fromisoformat(doc.date)
        if re.fullmatch(r"\w+ \d{1,2}", shown):
            assert shown == f"{day:%B} {day.day}", (index.name, href)
            archive = re.match(r"(\d{4})(\d{2})_index", index.name)
            if archive:
                assert (day.year, day.month) == tuple(map(int, archive.groups()))
        else:  # "May 8, 2024" in link text, "令和6年4月2日" on Japanese indexes
            assert parse_date(shown) == doc.date, (index.name, href)
        checked += 1
    assert checked >= 15


def test_headings_between_two_content_areas_stay_in_the_body():
    inner = (
        "<h1>T</h1><p>May 8, 2024</p><p class='tool'>Print</p>"
        "<div class='section'><div class='any-area'><p>First part.</p></div></div>"
        "<h2 class='title2'>Second heading</h2>"
        "<div class='section'><div class='any-area'><p>Second part.</p></div></div>"
        "<p>Outside after the areas.</p>"
    )
    doc = extract(_page(inner), BASE + "a.html")
    assert doc.body == ("First part.", "Second heading", "Second part.")
