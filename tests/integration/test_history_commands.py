"""`changes`, `history`, `diff` and `alerts test` through the real command line."""

from __future__ import annotations

import json

import pytest

from monitor.cli.main import main
from monitor.config import Settings
from monitor.detect.changes import detect_changes
from storage.db import open_database, upgrade_database
from tests.integration.alerting import EDITED, URL, document, later, store
from tests.servers import free_port

CORRECTED = {**EDITED, "title": "Japan-U.S. Foreign Ministers' Meeting (corrected)"}


pytestmark = pytest.mark.usefixtures("restore_root_logger")


@pytest.fixture
def history_db(sqlite_url, monkeypatch):
    upgrade_database(sqlite_url)
    factory = open_database(sqlite_url)
    store(factory, document(), later(0), extractor="1")
    detect_changes(factory, Settings(), later(1), silent=True)
    store(factory, CORRECTED, later(30), extractor="2")
    detect_changes(factory, Settings(), later(31))
    monkeypatch.setenv("MOFAWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("MOFAWATCH_CONFIG", raising=False)
    return sqlite_url


def test_changes_lists_each_change_with_its_silent_marker(history_db, capsys):
    assert main(["changes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "new" in lines[0]
    assert "[silent: baseline]" in lines[0]
    assert "updated" in lines[1]
    assert "pressite_000001_00001" in lines[1]
    assert "silent" not in lines[1]


def test_changes_json_is_one_object_per_line_and_since_filters(history_db, capsys):
    assert main(["changes", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["kind"] for r in rows] == ["new", "updated"]
    assert rows[1]["fields"] == ["body", "title"]
    assert rows[1]["url"] == URL
    assert main(["changes", "--json", "--since", "2026-11-03"]) == 0
    assert capsys.readouterr().out == ""


def test_changes_rejects_a_bad_date(history_db, capsys):
    assert main(["changes", "--since", "yesterday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_history_shows_versions_by_url_or_doc_id(history_db, capsys):
    assert main(["history", "pressite_000001_00001"]) == 0
    by_id = capsys.readouterr().out
    assert main(["history", URL]) == 0
    assert capsys.readouterr().out == by_id
    lines = by_id.splitlines()
    assert lines[0].startswith(URL)
    assert len(lines) == 3
    assert "extractor 1" in lines[1]
    assert "(corrected)" in lines[2]


def test_unknown_document_exits_2_with_a_message(history_db, capsys):
    assert main(["history", "page_nothing"]) == 2
    assert "no document 'page_nothing'" in capsys.readouterr().err
    assert main(["diff", "page_nothing"]) == 2


def test_diff_defaults_to_newest_against_previous(history_db, capsys):
    assert main(["diff", URL]) == 0
    out = capsys.readouterr().out
    assert "version 1 -> 2" in out
    assert "Indo-Pacific" in out
    assert main(["diff", URL, "--from", "2", "--to", "2"]) == 0
    assert "no difference" in capsys.readouterr().out
    assert main(["diff", URL, "--to", "7"]) == 2
    assert "no version 7" in capsys.readouterr().err


def test_unreachable_database_exits_2_with_the_masked_url(monkeypatch, capsys):
    port = free_port()
    monkeypatch.setenv(
        "MOFAWATCH_DATABASE_URL",
        f"postgresql+psycopg://watch:s3cret@127.0.0.1:{port}/mofawatch",
    )
    assert main(["changes"]) == 2
    err = capsys.readouterr().err
    assert "s3cret" not in err
    assert "***" in err


def test_database_without_schema_exits_2_and_names_init(
    sqlite_url, monkeypatch, capsys
):
    monkeypatch.setenv("MOFAWATCH_DATABASE_URL", sqlite_url)
    assert main(["changes"]) == 2
    assert "mofawatch init" in capsys.readouterr().err


def _config(tmp_path, smtp_port, webhook_url):
    path = tmp_path / "mofawatch.toml"
    path.write_text(
        f"""
[[channels]]
name = "desk"
type = "email"
to = ["desk@example.org"]
from = "mofawatch@example.org"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
security = "none"
timeout_seconds = 3

[[channels]]
name = "hook"
type = "webhook"
url = "{webhook_url}"
""",
        encoding="utf-8",
    )
    return str(path)


def test_alerts_test_sends_through_every_channel(
    tmp_path, smtp_server, http_receiver, capsys
):
    config = _config(tmp_path, smtp_server.port, http_receiver.url + "/hook")
    assert main(["--config", config, "alerts", "test"]) == 0
    out = capsys.readouterr().out
    assert "desk: sent" in out
    assert "hook: sent" in out
    (mail,) = smtp_server.messages
    assert "mofawatch test alert" in mail["Subject"]
    assert len(http_receiver.requests) == 1
    assert main(["--config", config, "alerts", "test", "--channel", "hook"]) == 0
    assert len(smtp_server.messages) == 1
    assert len(http_receiver.requests) == 2


def test_alerts_test_exits_1_when_a_channel_fails(tmp_path, http_receiver, capsys):
    config = _config(tmp_path, free_port(), http_receiver.url + "/hook")
    assert main(["--config", config, "alerts", "test"]) == 1
    out = capsys.readouterr().out
    assert "desk: FAILED" in out
    assert "hook: sent" in out


def test_alerts_test_exits_2_for_an_unknown_channel(tmp_path, http_receiver, capsys):
    config = _config(tmp_path, free_port(), http_receiver.url + "/hook")
    assert main(["--config", config, "alerts", "test", "--channel", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no channel named 'nope'" in err
    assert "desk, hook" in err
