"""Recording a WARC file during the crawl, then replaying it into an empty database."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.contract import LogLevel, RunConfig
from monitor.config import Settings, SiteSettings
from monitor.replay.replayer import check_sources, collect, replay
from storage.db import open_database, unit_of_work, upgrade_database
from storage.runs import start_run
from tests.integration.replay_helpers import history

pytestmark = pytest.mark.e2e

EDITED = "/press/release/pressite_000001_00412.html"


def _records(path: Path) -> list[tuple[str, str, str]]:
    """(WARC-Type, target URI, status line or request line) of every record."""
    found = []
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            http = record.http_headers
            line = "" if http is None else http.statusline
            if record.rec_type == "request" and http is not None:
                line = f"{http.protocol} {line}"  # warcio splits off the method
            found.append(
                (
                    record.rec_type,
                    record.rec_headers.get_header("WARC-Target-URI"),
                    line,
                )
            )
    return found


def test_crawl_given_a_warc_path_records_request_and_response_per_page(site, tmp_path):
    db = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade_database(db)
    warc = tmp_path / "crawl.warc.gz"
    run = RunConfig(
        database_url=db,
        base_url=site.base_url,
        sections=("press_releases", "press_conferences", "statements", "japan_us"),
        since="2022-01",
        user_agent="mofawatch-test",
        download_delay=0,
        timeout_seconds=10,
        retry_times=0,
        warc_path=str(warc),
        log_level=LogLevel.WARNING,
    )
    done = subprocess.run(
        [sys.executable, "-m", "crawler"],
        input=run.model_dump_json(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    records = _records(warc)
    responses = [r for r in records if r[0] == "response"]
    requests = [r for r in records if r[0] == "request"]
    assert len(responses) == len(requests) > 5
    assert records[0][0] == "warcinfo"
    assert all(not uri.endswith("/robots.txt") for _, uri, _ in records[1:])
    assert any(line.startswith("200 ") for _, _, line in responses)
    assert any(line.startswith("GET /") for _, _, line in requests)


def _crawl(settings: Settings, warc: Path, now: datetime) -> None:
    from monitor.runner.crawl import run_config_for, run_crawl

    factory = open_database(settings.database_url)
    with unit_of_work(factory) as session:
        run_id = start_run(session, now)
    run = run_config_for(
        settings,
        database_url=settings.database_url,
        run_id=run_id,
        warc_path=str(warc),
        now=now,
    )
    result = run_crawl(run, timeout=120)
    assert result.ok, result.tail


def test_crawl_recorded_with_warc_replays_into_the_same_documents_and_versions(
    site, tmp_path
):
    live_db = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade_database(live_db)
    live = Settings(
        database_url=live_db,
        site=SiteSettings(base_url=site.base_url, download_delay=0.0),
    )
    warc = tmp_path / "crawls.warc.gz"
    now = datetime.now(UTC)
    _crawl(live, warc, now)
    site.edit_page(EDITED, "approximately 20 minutes", "approximately 25 minutes")
    # Two months on every known document is due for a revisit; the second crawl
    # appends to the same WARC.
    _crawl(live, warc, now + timedelta(days=60))

    replayed_db = f"sqlite:///{tmp_path / 'replayed.db'}"
    upgrade_database(replayed_db)
    replayed = Settings(database_url=replayed_db, site=live.site)
    collected = collect(check_sources([str(warc)]), site.base_url)
    report = replay(replayed, collected, datetime.now(UTC))

    assert report.problems == ()
    expected = history(live_db)
    assert any(len(hashes) == 2 for hashes in expected.values())  # the edit
    assert history(replayed_db) == expected


def test_mofawatch_run_with_warc_then_replay_rebuilds_the_same_history(site, tmp_path):
    from tests.demo import edit_known_meeting, publish_new_meeting
    from tests.e2e.cli_helpers import Installation

    live = Installation(site, tmp_path)
    warc = tmp_path / "runs.warc.gz"
    first = live.run("run", "--warc", str(warc))
    assert first.returncode == 0, first.stderr
    publish_new_meeting(site)
    edit_known_meeting(site)
    second = live.run("run", "--warc", str(warc))
    assert second.returncode == 0, second.stderr

    replayed_db = f"sqlite:///{tmp_path / 'replayed.db'}"
    offline = Installation(site, tmp_path)
    offline.env["MOFAWATCH_DATABASE_URL"] = replayed_db
    done = offline.run("replay", str(warc))
    assert done.returncode == 0, done.stderr
    assert "0 skipped" in done.stdout
    expected = history(live.db_url)
    assert sum(len(v) for v in expected.values()) == len(expected) + 1  # one edit
    assert history(replayed_db) == expected


def _warcinfo(path: Path) -> tuple[list[dict[str, str]], set[str], set[str]]:
    """The warcinfo records' fields, their ids, and the ids the others point at."""
    infos, ids, pointed = [], set(), set()
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            headers = record.rec_headers
            if record.rec_type == "warcinfo":
                ids.add(headers.get_header("WARC-Record-ID"))
                text = record.content_stream().read().decode("utf-8")
                infos.append(dict(line.split(": ", 1) for line in text.splitlines()))
            else:
                pointed.add(headers.get_header("WARC-Warcinfo-ID"))
    return infos, ids, pointed


def test_mofawatch_warcs_describe_their_crawl_pass_warcio_check_and_replay_as_stored(
    site, tmp_path
):
    import json

    from tests.e2e.cli_helpers import Installation

    live = Installation(site, tmp_path)
    live.env["MOFAWATCH_SMTP_PASSWORD"] = "s3cret-value"
    warc = tmp_path / "runs.warc.gz"
    for _ in range(2):  # two crawls append to one file: a warcinfo record each
        done = live.run("run", "--warc", str(warc))
        assert done.returncode == 0, done.stderr

    infos, ids, pointed = _warcinfo(warc)
    assert len(infos) == len(ids) == 2
    assert pointed == ids  # every record names the crawl it belongs to
    first = infos[0]
    assert first["software"].startswith("mofawatch/")
    assert first["format"] == "WARC File Format 1.1"
    settings = json.loads(first["mofawatch-settings"])
    assert settings["base_url"] == site.base_url
    assert "japan_us" in settings["sections"]
    raw = warc.read_bytes()
    assert b"database_url" not in raw
    assert b"mofawatch.db" not in raw
    assert b"s3cret-value" not in raw

    warcio = Path(sys.executable).with_name("warcio")
    checked = subprocess.run(
        [str(warcio), "check", "-v", str(warc)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    assert "digest pass" in checked.stdout

    # One instant for WARC-Date and the stored fetch: replaying the WARC into the
    # database it came from finds every response already stored.
    again = live.run("replay", str(warc))
    assert again.returncode == 0, again.stderr
    summary = again.stdout.strip().splitlines()[-1]
    assert "already stored; 0 changes" in summary, summary
    assert "older than" not in summary
