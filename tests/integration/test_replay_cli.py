"""`mofawatch replay`: bad sources, exit codes, dry run."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from monitor.cli.main import main
from tests.integration.replay_helpers import (
    BASE_URL,
    FIXTURES,
    URL_A,
    URL_B,
    URL_C,
    fresh_sqlite,
    history,
    point_cli_at,
    row_counts,
)


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    """A schema-ready SQLite database the CLI uses through the environment."""
    url = fresh_sqlite(tmp_path)
    point_cli_at(monkeypatch, tmp_path, url)
    return url


def test_corrupt_warc_record_is_skipped_with_file_and_offset_and_exit_1(cli_db, capsys):
    code = main(["replay", str(FIXTURES / "corrupt.warc.gz")])
    err = capsys.readouterr().err
    assert code == 1
    assert "corrupt.warc.gz @ offset 863" in err
    assert set(history(cli_db)) == {URL_A, URL_C}  # the records around it survive


def test_bad_files_in_html_folder_are_named_skipped_and_exit_1(
    cli_db, tmp_path, capsys
):
    folder = tmp_path / "saved"
    shutil.copytree(FIXTURES / "bad_html", folder)
    (folder / "gone.html").symlink_to(tmp_path / "nowhere.html")  # unreadable
    code = main(["replay", str(folder)])
    captured = capsys.readouterr()
    assert code == 1
    for name in ("photo.html", "gone.html"):  # named .html, yet no page to read
        assert f"mofawatch replay: skipped {folder / name}:" in captured.err
    # A file that is no page and does not claim to be one is counted, not an error.
    assert f"skipped {folder / 'notes.txt'}" not in captured.err
    assert "1 non-page responses ignored; 2 skipped" in captured.out
    assert list(history(cli_db)) == [f"{BASE_URL}/pressite_000001_09003.html"]


def test_non_page_files_of_a_saved_folder_are_counted_and_exit_is_0(
    cli_db, tmp_path, capsys
):
    folder = tmp_path / "saved"
    shutil.copytree(FIXTURES / "html_paths", folder)
    (folder / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    (folder / "press" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(16))
    (folder / "press" / "site.css").write_text("body { margin: 0 }\n")
    code = main(["replay", str(folder)])
    out = capsys.readouterr().out
    assert code == 0
    assert "3 non-page responses ignored; 0 skipped" in out
    assert list(history(cli_db)) == [URL_B]


@pytest.mark.parametrize("name", ["missing.warc.gz", "notes.txt"])
def test_missing_or_unknown_source_exits_2_before_replaying(
    cli_db, tmp_path, name, capsys
):
    (tmp_path / "notes.txt").write_text("not a source", encoding="utf-8")
    code = main(["replay", str(FIXTURES / "captures.warc.gz"), str(tmp_path / name)])
    assert code == 2
    assert name in capsys.readouterr().err
    assert row_counts(cli_db)["snapshots"] == 0


def test_replay_cli_exits_0_and_prints_a_summary(cli_db, capsys):
    code = main(["replay", str(FIXTURES / "captures.warc.gz")])
    out = capsys.readouterr().out
    assert code == 0
    assert "replayed 3 responses: 3 new versions" in out
    assert len(history(cli_db)[URL_A]) == 3


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_dry_run_prints_versions_and_alerts_and_writes_nothing(
    cli_db, tmp_path, capsys
):
    main(["replay", str(FIXTURES / "html")])  # some history to start from
    capsys.readouterr()
    db_file = tmp_path / "replay.db"
    before, digest = row_counts(cli_db), _digest(db_file)
    code = main(["replay", "--dry-run", str(FIXTURES / "corrupt.warc.gz")])
    out = capsys.readouterr().out
    assert code == 1
    assert "dry run: nothing was written" in out
    assert f"{URL_C}: new version 1" in out
    assert f"{URL_A}: already stored" in out
    assert "alerts --alerts would send: 1" in out
    assert "[console] " in out
    assert row_counts(cli_db) == before
    assert _digest(db_file) == digest


def test_replay_with_alerts_sends_through_the_console_channel_once(cli_db, capsys):
    code = main(["replay", "--alerts", str(FIXTURES / "captures.warc.gz")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("Japan-Aurelia Foreign Ministers' Telephone Talk") >= 3
    assert "3 alerts queued, 3 sent" in out
    assert main(["replay", "--alerts", str(FIXTURES / "captures.warc.gz")]) == 0
    assert "0 alerts queued" in capsys.readouterr().out


def test_replay_exits_3_while_a_cycle_holds_the_lock(cli_db, capsys):
    from datetime import UTC, datetime

    from storage.locks import cycle_lock

    with cycle_lock(cli_db, datetime.now(UTC)):
        code = main(["replay", str(FIXTURES / "captures.warc.gz")])
    assert code == 3
    assert "holds the lock" in capsys.readouterr().err
    assert row_counts(cli_db)["snapshots"] == 0
