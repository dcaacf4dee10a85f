"""The structural fallback and the structure rules both paths share: paragraphs split by
<br><br>, <time datetime>, an article's own <header>, captions by structure, and
link-dense runs left out."""

from __future__ import annotations

import pytest

from crawler.extract.dates import parse_date, parse_datetime_attribute
from crawler.extract.extractor import (
    ExtractionError,
    ExtractionPath,
    extract,
    extract_with_report,
)

URL = "https://www.mofa.go.jp/press/release/pressite_000001_07001.html"
LEAD = (
    "On May 8, Mr. SAKURADA Kenji, Minister for Foreign Affairs of Japan, held a "
    "meeting with H.E. Mr. Ilmar Tamm, Minister of Foreign Affairs of the Republic "
    "of Estonia."
)
POINT = "The two ministers agreed to deepen cooperation on cyber security."


def _page(inner: str, title: str = "Japan-Estonia Meeting") -> str:
    return (
        f"<html><head><title>{title} | Ministry of Foreign Affairs of Japan</title>"
        f"</head><body>{inner}</body></html>"
    )


def test_two_br_split_paragraphs_and_one_br_joins_lines():
    inner = (
        "<table><tr><td><b>Japan-Estonia Meeting</b><br><br>May 8, 2024<br><br>"
        f"<font>{LEAD}<br>\n <br>{POINT}<br>second line of the point</font>"
        "</td></tr></table>"
    )
    doc, report = extract_with_report(_page(inner), URL)
    assert report.path is ExtractionPath.STRUCTURE
    assert doc.title == "Japan-Estonia Meeting"
    assert doc.date == "2024-05-08"
    assert doc.body == (LEAD, POINT + " second line of the point")


def test_without_landmarks_spans_standing_alone_are_paragraphs():
    inner = (
        "<div><div><h1>Japan-Estonia Meeting</h1><p>May 8, 2024</p><div>"
        f"<span>{LEAD}</span>\n<span>{POINT}</span></div>"
        f"<p><span>{POINT}</span> Both sides also discussed energy.</p></div></div>"
    )
    doc = extract(_page(inner), URL)
    assert doc.body == (LEAD, POINT, f"{POINT} Both sides also discussed energy.")


def test_time_datetime_gives_the_date_whatever_its_text():
    inner = (
        "<main><article><header><h1>Japan-Estonia Meeting</h1>"
        '<time datetime="2024-05-08T10:00+09:00">08.05.2024</time></header>'
        f"<p>{LEAD}</p><p>{POINT}</p></article></main>"
    )
    doc = extract(_page(inner), URL)
    assert (doc.title, doc.date, doc.body) == (
        "Japan-Estonia Meeting",
        "2024-05-08",
        (LEAD, POINT),
    )


def test_a_site_header_without_the_title_stays_out():
    inner = (
        "<header><p>Ministry of Foreign Affairs of Japan, official site</p></header>"
        f"<main><h1>Japan-Estonia Meeting</h1><p>May 8, 2024</p><p>{LEAD}</p></main>"
    )
    doc = extract(_page(inner), URL)
    assert doc.body == (LEAD,)


def test_text_sharing_a_small_container_with_a_photo_is_a_caption():
    inner = (
        "<div class='x1'><h1>Japan-Estonia Meeting</h1><p>May 8, 2024</p>"
        "<div class='x2'><div class='x3'><img src='/a.jpg' alt='The two ministers'>"
        "</div><p class='x4'>Minister Sakurada welcomes Minister Tamm</p></div>"
        f"<p>{LEAD}</p><p>(Photo: Ministry of Foreign Affairs)</p><p>{POINT}</p></div>"
    )
    doc = extract(_page(inner), URL)
    assert doc.captions == (
        "The two ministers",
        "Minister Sakurada welcomes Minister Tamm",
        "(Photo: Ministry of Foreign Affairs)",
    )
    assert doc.body == (LEAD, POINT)


def test_a_short_paragraph_beside_a_photo_nested_deeper_stays_body():
    inner = (
        "<div class='x1'><h1>Japan-Estonia Meeting</h1><p>May 8, 2024</p>"
        "<div class='x2'><div class='x3'><div class='x4'><img src='/a.jpg' "
        "alt='The two ministers'></div></div><p>The two ministers met in Tokyo.</p>"
        "</div></div>"
    )
    doc = extract(_page(inner), URL)
    assert doc.captions == ("The two ministers",)
    assert doc.body == ("The two ministers met in Tokyo.",)


def test_text_equal_to_an_image_alt_is_only_a_caption():
    inner = (
        "<div id='maincontents'><h1>Japan-Estonia Meeting</h1><p>May 8, 2024</p>"
        f"<p>{LEAD}</p><p><img src='/a.jpg' alt='Signing ceremony'></p>"
        f"<p>Signing ceremony</p><p>{POINT}</p></div>"
    )
    doc = extract(_page(inner), URL)
    assert doc.captions == ("Signing ceremony",)
    assert doc.body == (LEAD, POINT)


def test_an_icon_or_an_inline_picture_in_a_long_paragraph_is_no_photo():
    inner = (
        "<div id='maincontents'><h1>Japan-Estonia Meeting</h1><p>May 8, 2024</p>"
        f"<p>{LEAD} <img src='/flag.gif' alt='flag of Estonia'> {POINT}</p>"
        "<div><a href='/a.pdf'>Joint statement (PDF)<img src='/icon_pdf.gif' "
        "alt='PDF' width='16'></a> issued today by both ministers.</div></div>"
    )
    doc = extract(_page(inner), URL)
    assert doc.body == (
        f"{LEAD} {POINT}",
        "Joint statement (PDF) issued today by both ministers.",
    )
    assert doc.captions == ("flag of Estonia",)


def test_without_landmarks_link_runs_and_chrome_are_left_out():
    inner = (
        "<div><ul><li><a href='/'>Home</a></li><li><a href='/press/'>Press</a></li>"
        "</ul></div><div><div><h1>Japan-Estonia Meeting</h1><p>May 8, 2024</p>"
        f"<p>{LEAD}</p><p>{POINT}</p><ul><li><a href='/ee/'>Japan-Estonia Relations"
        "</a></li><li><a href='/eu/'>Europe</a></li></ul></div></div>"
        "<footer><p>Copyright Ministry of Foreign Affairs of Japan</p></footer>"
    )
    doc, report = extract_with_report(_page(inner), URL)
    assert report.path is ExtractionPath.STRUCTURE
    assert report.landmark_rejected is None
    assert doc.body == (LEAD, POINT)


def test_related_readouts_with_long_titles_are_still_a_link_run():
    related = "".join(
        f"<li><a href='/r{i}.html'>Japan-Estonia Foreign Ministers\u2019 Meeting on "
        f"Cyber Security Cooperation ({month} 2023)</a></li>"
        for i, month in enumerate(("March", "October"))
    )
    inner = (
        "<div><div><h1>Japan-Estonia Meeting</h1><p>May 8, 2024</p>"
        f"<p>{LEAD}</p><p>{POINT} See <a href='/ee/'>the joint statement</a>.</p>"
        f"<ul>{related}</ul></div></div>"
    )
    doc = extract(_page(inner), URL)
    assert doc.body == (LEAD, f"{POINT} See the joint statement.")


def test_breadcrumbs_and_share_buttons_inside_the_article_stay_out():
    inner = (
        "<div><div><p><a href='/'>Home</a> &gt; <a href='/press/'>Press</a> &gt; "
        "Japan-Estonia Meeting</p><ul><li><a href='/x'>Post</a></li><li>"
        "<a href='/f'>Share</a></li></ul><p>Press Releases</p>"
        f"<h1>Japan-Estonia Meeting</h1><p>May 8, 2024</p><p>{LEAD}</p><p>{POINT}</p>"
        "</div></div>"
    )
    doc = extract(_page(inner), URL)
    assert (doc.section, doc.body) == ("Press Releases", (LEAD, POINT))


def test_a_landmark_that_holds_the_content_keeps_the_landmark_path():
    inner = f"<div id='maincontents'><h1>Japan-Estonia Meeting</h1><p>{LEAD}</p></div>"
    _, report = extract_with_report(_page(inner), URL)
    assert (report.path, report.container) == (
        ExtractionPath.LANDMARKS,
        "#maincontents",
    )
    assert report.to_dict()["path"] == "landmarks"


def test_a_landmark_of_links_with_no_article_elsewhere_is_unrecognizable():
    inner = (
        "<main><ul><li><a href='/'>Home</a></li><li><a href='/press/'>Press</a></li>"
        "</ul></main>"
    )
    with pytest.raises(ExtractionError, match=r"content area missing \(main: only"):
        extract(_page(inner), URL)


def test_text_without_a_title_heading_is_no_article():
    inner = (
        "<div><p>The service is unavailable. Please try again later today.</p></div>"
    )
    with pytest.raises(ExtractionError, match="content area missing"):
        extract(_page(inner, title="Service Unavailable"), URL)


_SITE_TOP = (
    "<div class='s1'><p><a href='#c'>Skip to main content</a></p><ul><li>"
    "<a href='/faq/'>FAQ</a></li><li><a href='/sitemap/'>Site Map</a></li></ul></div>"
    "<div class='s2'><ul><li><a href='/policy/'>Foreign Policy</a></li><li>"
    "<a href='/region/'>Countries</a></li></ul></div><div class='s3'><p>"
    "<a href='/'>Top</a> &gt; <a href='/press/'>Press Releases</a> &gt; "
    "Japan-Estonia Meeting</p></div>"
)
_SITE_BOTTOM = (
    "<div class='s4'><ul><li><a href='/legal/'>Legal Matters</a></li></ul>"
    "<address>2-2-1 Kasumigaseki, Chiyoda-ku, Tokyo 100-8919, Japan, and a telephone"
    " number</address></div>"
)


def _headless(inner: str, head: str) -> str:
    return (
        f"<html><head>{head}</head><body>{_SITE_TOP}{inner}{_SITE_BOTTOM}</body></html>"
    )


def test_a_title_only_in_og_title_widens_the_text_to_its_label_date_and_photo():
    inner = (
        "<div class='c1'><div class='c2'><p class='c3'>Press Releases</p>"
        "<div class='c4'>May 8, 2024</div><div class='c5'><div class='c6'><img "
        "src='/a.jpg' alt='The two ministers' width='280'></div><p>(Photo) Meeting"
        f"</p></div><div class='c7'><div class='c8'><p>{LEAD}</p><ul><li>{POINT}</li>"
        "</ul></div></div><p><a href='/press/'>Back to Press Releases</a></p></div>"
        "</div><p><a href='#top'>Page Top</a></p>"
    )
    head = "<meta property='og:title' content='Japan-Estonia Meeting'><title>x</title>"
    doc, report = extract_with_report(_headless(inner, head), URL)
    assert report.path is ExtractionPath.STRUCTURE
    assert (doc.title, doc.section, doc.date) == (
        "Japan-Estonia Meeting",
        "Press Releases",
        "2024-05-08",
    )
    assert doc.captions == ("The two ministers", "(Photo) Meeting")
    assert doc.body == (LEAD, POINT)


def test_the_widening_passes_related_links_and_stops_at_a_menu():
    related = (
        "<div><h2>Related Links</h2><ul><li><a href='/ee/'>Japan-Estonia Relations"
        "</a></li><li><a href='/eu/'>Europe</a></li></ul></div>"
    )
    menu = (
        "<div><ul><li><a href='/ee/'>Estonia</a></li><li><a href='/lv/'>Latvia</a>"
        "</li><li><a href='/lt/'>Lithuania</a></li></ul></div>"
    )
    text = f"<div><p>{LEAD}</p><p>{POINT}</p></div>"
    dated = f"<div><p>Press Releases</p><p>May 8, 2024</p>{text}{related}</div>"
    doc = extract(
        _headless(dated, "<title>Japan-Estonia Meeting | 外務省</title>"), URL
    )
    assert (doc.section, doc.date, doc.body) == (
        "Press Releases",
        "2024-05-08",
        (LEAD, POINT),
    )
    cut = f"<div><p>May 8, 2024</p>{menu}{text}</div>"
    with pytest.raises(ExtractionError, match="no title heading and no date line"):
        extract(_headless(cut, "<title>Japan-Estonia Meeting</title>"), URL)


def test_without_any_title_the_first_bold_line_or_h2_is_the_title():
    head = "<title>Ministry of Foreign Affairs of Japan</title>"
    for heading in (
        "<p><b>Japan-Estonia Meeting</b></p>",
        "<h2>Japan-Estonia Meeting</h2>",
    ):
        inner = f"<div>{heading}<p>May 8, 2024</p><p>{LEAD}</p><p>{POINT}</p></div>"
        doc = extract(_headless(inner, head), URL)
        assert (doc.title, doc.date, doc.body) == (
            "Japan-Estonia Meeting",
            "2024-05-08",
            (LEAD, POINT),
        )


def test_a_title_only_in_head_and_no_date_line_is_no_document():
    inner = f"<div><p>{LEAD}</p><p>{POINT}</p></div>"
    with pytest.raises(ExtractionError, match="no title heading and no date line"):
        extract(_headless(inner, "<title>Japan-Estonia Meeting</title>"), URL)


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("2024年7月28日", "2024-07-28"),
        ("令和6年7月28日", "2024-07-28"),
        ("令和元年5月1日", "2019-05-01"),
        ("令和1年5月1日", "2019-05-01"),
        ("平成元年1月8日", "1989-01-08"),
        ("\uff08令和\uff16年\uff17月\uff12\uff18日\uff09", "2024-07-28"),
        ("28 July 2024", "2024-07-28"),
        ("Jul. 28, 2024", "2024-07-28"),
        ("Sunday, July 28, 2024", "2024-07-28"),
        ("2024/7/28", "2024-07-28"),
        ("2024.07.28 Press Release", "2024-07-28"),
        ("2024-07-28", "2024-07-28"),
        ("2024/07-28", None),
        ("2024/13/01", None),
        ("令和6年2月30日", None),
        ("July 2024", None),
    ],
)
def test_date_lines_in_english_and_japanese(line, iso):
    assert parse_date(line) == iso


def test_datetime_attribute_values():
    assert parse_datetime_attribute("2024-07-28") == "2024-07-28"
    assert parse_datetime_attribute("2024-07-28T09:00:00Z") == "2024-07-28"
    assert parse_datetime_attribute("28.07.2024") is None
    assert parse_datetime_attribute("2024-13-01") is None
