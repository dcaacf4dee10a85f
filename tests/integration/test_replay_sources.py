"""Reading replay sources: HTTP-cache variants, WARC offsets, source kinds."""

from __future__ import annotations

import dbm.dumb
import gzip
import ipaddress
import os
import pickle
import shutil

import pytest

from monitor.replay.replayer import BODY_BUDGET, check_sources, collect, replay
from monitor.replay.sources import (
    BodyReader,
    Capture,
    Ignored,
    Problem,
    SourceError,
    SourceKind,
    read_httpcache,
    read_source,
    read_warc,
    source_kind,
)
from tests.integration.replay_helpers import (
    BASE_URL,
    FIXTURES,
    NOW,
    URL_A,
    URL_B,
    fresh_sqlite,
    history,
    settings_for,
)


def _copy_cache(tmp_path):
    root = tmp_path / "cache"
    shutil.copytree(FIXTURES / "httpcache", root)
    return root


def test_cache_entries_read_from_text_meta_and_gzipped_files(tmp_path):
    root = _copy_cache(tmp_path)
    for meta in root.rglob("pickled_meta"):
        meta.unlink()  # older Scrapy layouts, or a cleaned-up copy
    for body in root.rglob("response_body"):
        body.write_bytes(gzip.compress(body.read_bytes()))  # HTTPCACHE_GZIP = True
    captures = [i for i in read_httpcache(root) if isinstance(i, Capture)]
    assert {c.url for c in captures} == {URL_A, URL_B}
    with BodyReader() as reader:
        bodies = [reader.load(c).body or b"" for c in captures]
    assert all(body.startswith(b"<!DOCTYPE html>") for body in bodies)


class _Sneaky:
    def __reduce__(self):
        return (os.getcwd, ())


def test_a_pickled_meta_that_carries_objects_is_refused_not_run(tmp_path):
    root = _copy_cache(tmp_path)
    first = sorted(root.rglob("pickled_meta"))[0]
    first.write_bytes(pickle.dumps({"url": URL_A, "x": _Sneaky()}))
    items = list(read_httpcache(root))
    problems = [i for i in items if isinstance(i, Problem)]
    assert len(problems) == 1
    assert problems[0].path == str(first.parent)
    assert "refusing" in problems[0].message


def test_corrupt_record_offset_points_at_the_damaged_gzip_member():
    items = list(read_warc(FIXTURES / "corrupt.warc.gz"))
    problems = [i for i in items if isinstance(i, Problem)]
    captures = [i for i in items if isinstance(i, Capture)]
    assert [p.offset for p in problems] == [863]
    assert [c.origin.rsplit("@", 1)[1] for c in captures] == ["0", "1600"]


def test_a_truncated_warc_keeps_the_records_before_the_cut(tmp_path):
    data = (FIXTURES / "captures.warc.gz").read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 200])
    items = list(read_warc(cut))
    assert len([i for i in items if isinstance(i, Capture)]) == 3  # robots + 2 pages
    assert len([i for i in items if isinstance(i, Problem)]) == 1


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("captures.warc.gz", SourceKind.WARC),
        ("httpcache", SourceKind.HTTPCACHE),
        ("html", SourceKind.HTML),
    ],
)
def test_source_kinds_are_recognized(name, kind):
    assert source_kind(FIXTURES / name) is kind


def test_a_file_of_unknown_type_is_a_source_error():
    with pytest.raises(SourceError, match="not a WARC file"):
        source_kind(FIXTURES / "html" / "urls.csv")


def test_collect_keeps_bodies_up_to_its_budget_and_reads_the_rest_again():
    read = [
        i for i in read_warc(FIXTURES / "captures.warc.gz") if isinstance(i, Capture)
    ]
    pages = [c for c in read if c.is_page]
    assert len(pages) == 3
    assert all(c.body for c in pages)
    budget = len(pages[0].body or b"")
    sources = [(FIXTURES / "captures.warc.gz", SourceKind.WARC)]
    collected = collect(sources, BASE_URL, body_budget=budget)
    by_origin = {c.origin: c for c in collected.captures}
    kept = [c for c in collected.captures if c.body is not None]
    dropped = [c for c in collected.captures if c.body is None]
    assert [c.origin for c in kept] == [pages[0].origin]
    assert len(dropped) == 2
    assert all(c.body_ref is not None for c in dropped)
    with BodyReader() as reader:
        loaded = {c.origin: reader.load(by_origin[c.origin]).body for c in pages}
    assert loaded == {c.origin: c.body for c in pages}


def test_a_replay_that_reads_every_body_again_stores_the_same_history(tmp_path):
    names = ("captures.warc.gz", "html")
    sources = check_sources([str(FIXTURES / n) for n in names])
    histories = []
    for budget in (0, BODY_BUDGET):
        url = fresh_sqlite(tmp_path, f"budget-{budget}.db")
        collected = collect(sources, BASE_URL, body_budget=budget)
        assert any(c.body is None for c in collected.captures) == (budget == 0)
        replay(settings_for(url), collected, NOW)
        histories.append(history(url))
    assert histories[0] == histories[1]
    assert sum(len(v) for v in histories[0].values()) >= 3


def test_a_capture_whose_file_vanished_is_reported_and_exit_is_1(
    tmp_path, monkeypatch, capsys
):
    from monitor.cli.main import main
    from monitor.replay.sources import BodyReader as Reader
    from tests.integration.replay_helpers import fresh_sqlite, point_cli_at

    url = fresh_sqlite(tmp_path)
    point_cli_at(monkeypatch, tmp_path, url)
    real_load = Reader.load

    def vanish(self, capture):
        if capture.url == URL_B:
            raise OSError("No such file or directory")
        return real_load(self, capture)

    monkeypatch.setattr(Reader, "load", vanish)
    assert main(["replay", str(FIXTURES / "html")]) == 1
    captured = capsys.readouterr()
    assert "No such file or directory" in captured.err
    assert "1 unreadable" in captured.out


def _dbm_cache(folder, entries):
    """A DbmCacheStorage file as Scrapy writes one: <fp>_data pickles, <fp>_time."""
    folder.mkdir(parents=True, exist_ok=True)
    with dbm.dumb.open(str(folder / "mofa.db"), "c") as db:
        for key, (data, when) in entries.items():
            db[f"{key}_data"] = pickle.dumps(data, protocol=4)
            db[f"{key}_time"] = str(when)
    return folder


def _cached(url, body, content_type=b"text/html; charset=utf-8"):
    return {
        "url": url,
        "status": 200,
        "headers": {b"Content-Type": [content_type], b"Etag": [b'"e1"']},
        "body": body,
        "flags": [],
        "protocol": "HTTP/1.1",
        "ip_address": ipaddress.IPv4Address("127.0.0.1"),
        "_class": "scrapy.http.response.html.HtmlResponse",
    }


def test_a_dbm_cache_replays_its_pages_and_counts_robots_txt_as_no_page(tmp_path):
    page = (FIXTURES / "html" / "b.html").read_bytes()
    robots = _cached(f"{BASE_URL}/robots.txt", b"User-agent: *", b"text/plain")
    root = _dbm_cache(
        tmp_path / "cache",
        {"aa": (_cached(URL_B, gzip.compress(page)), 1790000000.5), "bb": (robots, 1)},
    )
    assert source_kind(root) is SourceKind.HTTPCACHE
    items = list(read_httpcache(root))
    captures = [i for i in items if isinstance(i, Capture)]
    assert [type(i) for i in items].count(Ignored) == 1
    assert [(c.url, c.fetched_at.timestamp()) for c in captures] == [
        (URL_B, 1790000000.5)
    ]
    with BodyReader() as reader:
        assert reader.load(replace_body(captures[0])).body == page  # gunzipped
    url = fresh_sqlite(tmp_path)
    report = replay(
        settings_for(url), collect(check_sources([str(root)]), BASE_URL), NOW
    )
    assert (report.problems, report.ignored) == ((), 1)
    assert list(history(url)) == [URL_B]


def replace_body(capture):
    from dataclasses import replace

    return replace(capture, body=None)  # read again through its body reference


def test_a_dbm_entry_that_carries_objects_is_refused_not_run(tmp_path):
    page = (FIXTURES / "html" / "b.html").read_bytes()
    sneaky = {**_cached(URL_B, page), "flags": [_Sneaky()]}
    root = _dbm_cache(tmp_path / "cache", {"aa": (sneaky, 1790000000)})
    problems = [i for i in read_httpcache(root) if isinstance(i, Problem)]
    assert len(problems) == 1
    assert "refusing posix.getcwd" in problems[0].message


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("www.mofa.go.jp", f"{BASE_URL}/press/release/pressite_000001_09002.html"),
        (
            "127.0.0.1+8000",
            "https://127.0.0.1:8000/press/release/pressite_000001_09002.html",
        ),
    ],
)
def test_a_wget_mirror_folder_names_the_host_of_its_pages(tmp_path, folder, expected):
    root = tmp_path / "mirror"
    target = root / folder / "press" / "release"
    shutil.copytree(FIXTURES / "html_paths" / "press" / "release", target)
    (root / folder / "robots.txt").write_text("User-agent: *\n")
    items = list(read_source(root, SourceKind.HTML, BASE_URL))
    assert [i.url for i in items if isinstance(i, Capture)] == [expected]
    assert [type(i) for i in items].count(Ignored) == 1


def test_a_dbm_cache_file_given_by_itself_is_a_source(tmp_path):
    page = (FIXTURES / "html" / "b.html").read_bytes()
    root = _dbm_cache(tmp_path / "cache", {"aa": (_cached(URL_B, page), 1790000000)})
    part = next(root.glob("mofa.db*"))  # dbm.dumb: mofa.db.dat / .dir; gnu: mofa.db
    assert source_kind(part) is SourceKind.DBM
    url = fresh_sqlite(tmp_path)
    replay(settings_for(url), collect(check_sources([str(part)]), BASE_URL), NOW)
    assert list(history(url)) == [URL_B]
