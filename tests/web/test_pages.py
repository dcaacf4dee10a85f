"""The web view over HTTP: every page answers, filters and pages work, hostile page
text stays text, bad parameters get a 400 page, and nothing can be written."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import feedparser
import pytest

from tests.web.archive import HOSTILE_BODY, HOSTILE_TITLE
from tests.web.serving import Served, request

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

HOSTILE_MARKUP = ("<script>", "<img src=x", "<b>bold</b>")


def _links(page: str, css_class: str) -> list[str]:
    return re.findall(rf'class="{css_class}" href="([^"]+)"', page)


def _csv(served: Served, path: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(served.get(path).text)))


def _document_path(served: Served, words: str) -> str:
    links = _links(served.get(f"/changes?q={words}").text, "doc-link")
    assert len(links) == 1, links
    return html.unescape(links[0])


def test_changes_lists_the_cycles_changes_newest_first(served):
    page = served.get("/changes").text
    assert "pressite_000001_00480" in page
    assert "page4e_001274" in page
    times = re.findall(r'<td class="when">([^<]+)</td>', page)
    assert times == sorted(times, reverse=True)


def test_event_filter_keeps_the_one_edit(served):
    page = served.get("/changes?event=updated").text
    assert page.count('class="change change-updated"') == 1
    assert "change-new" not in page
    assert "page4e_001274" in page


def test_text_search_finds_a_word_of_a_body(served):
    found = served.get("/changes?q=Quiroga").text
    assert "pressite_000001_00480" in found
    assert "page4e_001274" not in found
    nothing = served.get("/changes?q=zzyzx+nowhere").text
    assert 'id="no-changes"' in nothing


@pytest.fixture(scope="module")
def small_pages(filled, tmp_path_factory):
    """The same archive served three changes to a page."""
    installation = filled.installation
    config = tmp_path_factory.mktemp("small") / "mofawatch.toml"
    base = Path(installation.env["MOFAWATCH_CONFIG"]).read_text(encoding="utf-8")
    config.write_text(base + "\n[web]\npage_size = 3\n", encoding="utf-8")
    server = Served(installation, env={"MOFAWATCH_CONFIG": str(config)})
    yield server
    server.stop()


def _change_ids(page: str) -> list[int]:
    return [
        int(i) for i in re.findall(r'<tr class="change [^"]+" id="change-(\d+)"', page)
    ]


@pytest.mark.parametrize("query", ["", "kind=press_release", "q=Minister"])
def test_keyset_pages_cover_every_change_once_in_order(served, small_pages, query):
    everything = _change_ids(served.get(f"/changes?{query}").text)
    assert len(everything) > 3
    seen: list[int] = []
    path = f"/changes?{query}"
    pages = 0
    while path:
        page = small_pages.get(path).text
        ids = _change_ids(page)
        assert 0 < len(ids) <= 3
        seen += ids
        pages += 1
        older = re.search(r'id="older" href="([^"]+)"', page)
        path = html.unescape(older.group(1)) if older else ""
        assert pages < 100
    assert seen == everything
    assert pages == -(-len(everything) // 3)


@pytest.mark.parametrize(
    "query",
    [
        "event=bogus",
        "kind=novel",
        "language=xx",
        "from=2024-13-01",
        "from=2025-01-02&to=2025-01-01",
        "before=abc",
        "before=-3",
        "q=" + "x" * 300,
        "colour=red",
    ],
)
def test_bad_parameters_get_a_400_page_naming_them(served, query):
    answer = served.get(f"/changes?{query}")
    assert answer.status == 400
    assert 'id="error-message"' in answer.text
    assert "Traceback" not in answer.text
    name = query.split("=", 1)[0]
    assert name in answer.text


def test_a_missing_document_or_version_gets_a_404_page(served):
    for path in ("/documents/999999", "/documents/1/versions/99", "/nowhere"):
        answer = served.get(path)
        assert answer.status == 404, path
        assert "404" in answer.text


def test_no_write_endpoint(served):
    for path in ("/changes", "/documents/1", "/meetings"):
        for method in ("POST", "PUT", "DELETE"):
            assert request(served.url + path.lstrip("/"), method=method).status == 405


def test_security_headers_on_every_answer(served):
    for path in ("/changes", "/meetings.csv", "/health", "/nowhere"):
        headers = served.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src" not in policy  # default-src 'none': no script at all
        assert "default-src 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_hostile_text_is_escaped_in_every_view(served, filled):
    document = _document_path(served, "onerror")
    pages = {
        "changes": served.get("/changes").text,
        "search": served.get("/changes?q=onerror").text,
        "document": served.get(document).text,
        "meetings": served.get("/meetings").text,
    }
    for name, page in pages.items():
        for markup in HOSTILE_MARKUP:
            assert markup not in page, (name, markup)
        assert html.escape(HOSTILE_TITLE, quote=False) in page or (
            html.escape(HOSTILE_TITLE) in page
        ), name
    assert html.escape(HOSTILE_BODY, quote=False) in pages["document"]
    feed = feedparser.parse(served.get("/changes.atom?q=onerror").body)
    assert len(feed.entries) == 1
    assert feed.entries[0].title.endswith(f": {HOSTILE_TITLE}")
    rows = _csv(served, "/meetings.csv")
    assert HOSTILE_TITLE in [row[9] for row in rows]


def test_the_feed_of_a_filtered_view_has_only_its_changes(served):
    feed = feedparser.parse(served.get("/changes.atom?event=updated").body)
    assert len(feed.entries) == 1
    assert feed.entries[0].title.startswith("Updated")
    assert "Japan-U.S. Foreign Ministers" in feed.entries[0].title
    everything = feedparser.parse(served.get("/changes.atom").body)
    assert len(everything.entries) > 1


def test_diff_shows_the_words_removed_and_added(served):
    page = served.get("/changes?event=updated").text
    diff = html.unescape(_links(page, "diff-link")[0])
    side = served.get(diff).text
    assert "<del>55</del>" in side
    assert "<ins>70</ins>" in side
    inline = served.get(diff + "&view=inline").text
    assert re.search(r"<del>55</del>\s*<ins>70</ins>", inline)
    assert served.get(diff + "&view=sideways").status == 400


def test_raw_snapshot_downloads_the_page_as_fetched(served):
    page = served.get("/changes?event=updated").text
    document = html.unescape(_links(page, "doc-link")[0])
    raw_links = _links(served.get(document).text, "raw")
    assert len(raw_links) == 2
    old = served.get(html.unescape(raw_links[-1]))  # v1 (the list is newest first)
    assert old.status == 200
    assert "attachment" in old.headers["Content-Disposition"]
    assert b"approximately 55 minutes" in old.body


def test_meetings_filter_sort_csv_and_chart(served):
    page = served.get("/meetings?counterpart=Quiroga").text
    assert page.count('<td class="counterpart">') == 2  # the new one and its twin
    rows = list(
        csv.reader(io.StringIO(served.get("/meetings.csv?country=Canada").text))
    )
    assert rows[0][:3] == ["Date", "Format", "Japan side"]
    assert {row[4] for row in rows[1:]} == {"Canada"}
    ordered = list(
        csv.reader(io.StringIO(served.get("/meetings.csv?sort=date&dir=asc").text))
    )
    dates = [row[0] for row in ordered[1:]]
    assert dates == sorted(dates)
    svg = served.get("/meetings/chart.svg?year=2022")
    assert svg.headers["Content-Type"].startswith("image/svg+xml")
    assert "<script" not in svg.text
    assert "http://" not in svg.text.replace("http://www.w3.org", "")
    assert "United States of America" in svg.text
    assert served.get("/meetings?sort=shoe_size").status == 400


def test_health_shows_the_runs_and_the_outbox(served):
    page = served.get("/health").text
    assert 'id="runs"' in page
    assert 'id="outbox"' in page
    assert page.count("<tr><td>") >= 2  # two runs at least
