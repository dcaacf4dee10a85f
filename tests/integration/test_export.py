"""export (JSONL, CSV) and feed (Atom, read back with feedparser)."""

from __future__ import annotations

import csv
import io
import json

import feedparser
import pytest

from monitor.cli.main import main
from monitor.export.documents import CSV_COLUMNS
from tests.integration.replay_helpers import (
    URL_A,
    URL_B,
    fresh_sqlite,
    point_cli_at,
    replay_paths,
)


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    url = fresh_sqlite(tmp_path)
    point_cli_at(monkeypatch, tmp_path, url)
    replay_paths(url, "html")  # A: three versions (Oct 1-3), B: one
    return url


def _run(capsys, *argv: str) -> str:
    assert main(list(argv)) == 0
    out: str = capsys.readouterr().out
    return out


def test_export_jsonl_gives_one_line_per_document_with_newest_version(cli_db, capsys):
    lines = [json.loads(x) for x in _run(capsys, "export").splitlines()]
    by_url = {x["url"]: x for x in lines}
    assert set(by_url) == {URL_A, URL_B}
    a = by_url[URL_A]
    assert a["versions"] == 3
    assert a["first_seen_at"].startswith("2026-10-01T03:00")
    assert a["last_seen_at"].startswith("2026-10-03T03:00")
    assert a["state"] == "live"
    assert a["meeting"]["duration_minutes"] == 25
    assert "China" in a["topics"]


def test_export_csv_has_flat_columns_and_joined_lists(cli_db, capsys):
    rows = list(csv.DictReader(io.StringIO(_run(capsys, "export", "--format", "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    a = next(r for r in rows if r["url"] == URL_A)
    assert a["versions"] == "3"
    assert a["duration_minutes"] == "25"
    assert a["topics"] == "China; Indo-Pacific"
    assert a["participants"].startswith("KAZAHAYA Tomoki")


def test_export_filters_by_kind_and_date(cli_db, capsys):
    assert _run(capsys, "export", "--kind", "statement") == ""
    assert len(_run(capsys, "export", "--kind", "press_release").splitlines()) == 2
    since = _run(capsys, "export", "--since", "2026-10-02").splitlines()
    assert [json.loads(x)["url"] for x in since] == [URL_B]


def test_export_writes_to_a_file_with_out(cli_db, tmp_path, capsys):
    target = tmp_path / "docs.jsonl"
    assert _run(capsys, "export", "--out", str(target)) == ""
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2


def test_feed_is_valid_atom_with_new_and_updated_entries(cli_db, capsys):
    parsed = feedparser.parse(_run(capsys, "feed"))
    assert parsed.bozo == 0
    assert parsed.version == "atom10"
    titles = [e.title for e in parsed.entries]
    assert len(titles) == 4
    assert titles.count("Updated: Japan-Aurelia Foreign Ministers' Telephone Talk") == 2
    # A replay records silently, like a first crawl's baseline: marked, not "New".
    assert "Recorded: Japan-Aurelia Foreign Ministers' Telephone Talk" in titles
    assert "Recorded: Visit to Japan by the Minister of Trade of Aurelia" in titles
    entry = parsed.entries[0]  # newest capture first: A's edit of October 3
    assert entry.updated.startswith("2026-10-03T03:00:00")
    assert entry.title.startswith("Updated: ")
    assert entry.id.startswith("tag:www.mofa.go.jp,")
    assert entry.link in (URL_A, URL_B)
    assert len({e.id for e in parsed.entries}) == 4


def test_feed_limit_keeps_the_newest_entries(cli_db, capsys):
    parsed = feedparser.parse(_run(capsys, "feed", "--limit", "1"))
    assert parsed.bozo == 0
    assert len(parsed.entries) == 1


def test_feed_summary_carries_facts_and_changed_fields(cli_db, capsys):
    parsed = feedparser.parse(_run(capsys, "feed"))
    updated = [e for e in parsed.entries if e.title.startswith("Updated")]
    assert any("Changed:" in e.summary for e in updated)
    assert all("Date:" in e.summary or "Type:" in e.summary for e in parsed.entries)


def test_feed_leaves_out_updates_made_by_an_extractor_upgrade_alone(cli_db, capsys):
    from monitor.replay.reextract import reextract
    from storage.db import opened_database
    from tests.integration.replay_helpers import NOW, settings_for, upgraded_extractor

    with opened_database(cli_db) as factory:
        report = reextract(
            factory, settings_for(cli_db), NOW, extractor=upgraded_extractor()
        )
        assert report.changed == 1
    parsed = feedparser.parse(_run(capsys, "feed"))
    assert parsed.bozo == 0
    assert len(parsed.entries) == 4  # the same four as before the re-extraction


def test_export_rejects_a_malformed_since_date(cli_db, capsys):
    assert main(["export", "--since", "October"]) == 2
    assert "'--since': must be YYYY-MM-DD, got 'October'" in capsys.readouterr().err


def test_feed_of_an_empty_database_is_valid_and_has_no_entries(
    tmp_path, monkeypatch, capsys
):
    url = fresh_sqlite(tmp_path, "empty.db")
    point_cli_at(monkeypatch, tmp_path, url)
    parsed = feedparser.parse(_run(capsys, "feed"))
    assert parsed.bozo == 0
    assert parsed.entries == []
    assert _run(capsys, "export") == ""


SELF = "https://feeds.example.org/mofawatch.atom"
A_PATH = "/press/release/pressite_000001_09001.html"


def _feed(capsys, *argv: str):
    parsed = feedparser.parse(_run(capsys, "feed", *argv))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def test_feed_links_to_itself_and_its_ids_name_page_and_version(cli_db, capsys):
    parsed = _feed(capsys, "--self-url", SELF)
    selves = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert selves == [SELF]
    ids = [entry.id for entry in parsed.entries]
    assert len(set(ids)) == len(ids) == 4
    prefix = "tag:www.mofa.go.jp,2000:mofawatch"
    assert sorted(i for i in ids if A_PATH in i) == [
        f"{prefix}{A_PATH}:v1",
        f"{prefix}{A_PATH}:v2",
        f"{prefix}{A_PATH}:v3",
    ]
    without = _feed(capsys)
    assert [link.href for link in without.feed.links if link.rel == "self"] == [
        without.feed.id
    ]


def test_feed_ids_survive_rebuilding_the_database_elsewhere(
    cli_db, tmp_path, monkeypatch, capsys
):
    before = [(e.id, e.title) for e in _feed(capsys).entries]
    moved = fresh_sqlite(tmp_path, "moved.db")
    replay_paths(moved, "html")  # new row ids, new detection times
    point_cli_at(monkeypatch, tmp_path, moved)
    after = [(e.id, e.title) for e in _feed(capsys).entries]
    assert after == before


def test_feed_summaries_use_the_labels_of_the_email(cli_db, capsys):
    parsed = _feed(capsys)
    summaries = [entry.summary for entry in parsed.entries]
    assert not any("duration_minutes" in text for text in summaries)
    assert any("Duration: 25 min" in text for text in summaries)
    updated = [e.summary for e in parsed.entries if e.title.startswith("Updated")]
    assert all(text.startswith("Changed: ") for text in updated)
    assert not any("Changed: body" in text for text in updated)


def test_baseline_documents_are_marked_recorded_and_loud_ones_are_news(
    tmp_path, monkeypatch, capsys
):
    from tests.integration.replay_helpers import RecordingNotifier

    url = fresh_sqlite(tmp_path)
    point_cli_at(monkeypatch, tmp_path, url)
    replay_paths(url, "html_paths")  # B: recorded silently, as a first crawl would
    console = RecordingNotifier()
    replay_paths(url, "html", alerts=True, notifiers={"console": console})
    assert console.sent  # A was announced
    entries = _feed(capsys).entries
    recorded = [e for e in entries if e.title.startswith("Recorded: ")]
    assert [e.link for e in recorded] == [URL_B]
    assert "baseline" in {tag.term for tag in recorded[0].tags}
    assert recorded[0].summary.startswith("Recorded without an alert")
    news = [e for e in entries if e.link == URL_A]
    assert [e.title.split(":")[0] for e in news] == [
        "Updated",
        "Updated",
        "New meeting",
    ]
    assert all("baseline" not in {t.term for t in e.tags} for e in news)


def test_feed_per_kind_and_per_rule(cli_db, tmp_path, capsys):
    (tmp_path / "mofawatch.toml").write_text(
        """
[[channels]]
name = "screen"
type = "console"

[[rules]]
channels = ["screen"]
keywords = ["Nonexistentword"]

[[rules]]
channels = ["screen"]
events = ["new", "updated"]
meetings_only = true
""",
        encoding="utf-8",
    )
    assert _feed(capsys, "--kind", "statement").entries == []
    assert len(_feed(capsys, "--kind", "press_release").entries) == 4
    assert _feed(capsys, "--rule", "1").entries == []
    meetings = _feed(capsys, "--rule", "2")
    assert {e.link for e in meetings.entries} == {URL_A}
    assert len(meetings.entries) == 3
    assert meetings.feed.id.endswith("/feed?rule=2")
    assert meetings.feed.id != _feed(capsys).feed.id


def test_feed_rule_beyond_the_configured_ones_is_a_usage_error(cli_db, capsys):
    assert main(["feed", "--rule", "3"]) == 2
    err = capsys.readouterr().err
    assert "--rule 3: the configuration has no [[rules]]" in err
    assert "Traceback" not in err


def test_feed_self_url_must_be_absolute(cli_db, capsys):
    assert main(["feed", "--self-url", "feeds/mofawatch.atom"]) == 2
    err = capsys.readouterr().err
    assert "--self-url must be an absolute URL" in err


def test_export_meetings_csv_is_one_row_per_meeting_with_its_facts(
    cli_db, tmp_path, capsys
):
    import shutil

    from monitor.export.meetings import MEETING_COLUMNS
    from tests.conftest import fixture_path
    from tests.integration.replay_helpers import BASE_URL

    saved = tmp_path / "saved"
    saved.mkdir()
    shutil.copy(fixture_path("site/na/na1/us/page4e_001274.html"), saved / "m.html")
    readout = f"{BASE_URL}/na/na1/us/page4e_001274.html"
    (saved / "urls.csv").write_text(f"path,url\nm.html,{readout}\n", encoding="utf-8")
    replay_paths(cli_db, str(saved))

    out = _run(capsys, "export", "--meetings", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == MEETING_COLUMNS
    assert [r["link"] for r in rows] == [readout, URL_A]  # date order; B is no meeting
    washington, call = rows
    assert washington == {
        "date": "2022-07-29",
        "format": "meeting",
        "japan_side": "HAYASHI Yoshimasa (Minister for Foreign Affairs of Japan)",
        "counterpart": "Antony Blinken (Secretary of State of the United States of "
        "America)",
        "country": "United States of America",
        "start_local": "13:43",
        "start_jst": "02:43",
        "duration_minutes": "55",
        "place": "Washington D.C.",
        "title": "Japan-U.S. Foreign Ministers\u2019 Meeting",
        "link": readout,
    }
    assert (call["format"], call["duration_minutes"], call["start_jst"]) == (
        "telephone_talk",
        "25",
        "09:00",
    )
    assert call["japan_side"].startswith("KAZAHAYA Tomoki")
    lines = _run(capsys, "export", "--meetings", "--kind", "press_release")
    assert [json.loads(x)["link"] for x in lines.splitlines()] == [URL_A]
