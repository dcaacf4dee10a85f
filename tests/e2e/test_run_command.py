"""`mofawatch run`: baseline, alerts, exit codes, the lock between two runs."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import termios
import time

import psutil
import pytest
from sqlalchemy import func, select, text

from storage.db import opened_database
from storage.models import Alert, AlertStatus, Run, RunStatus
from tests.demo import edit_known_meeting, publish_new_meeting
from tests.e2e.cli_helpers import Installation
from tests.sitesim import Fault

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


@pytest.fixture
def mw(site, tmp_path):
    return Installation(site, tmp_path)


def _runs(db_url):
    with opened_database(db_url) as factory, factory() as session:
        return list(session.scalars(select(Run).order_by(Run.id)))


def _alert_statuses(db_url):
    with opened_database(db_url) as factory, factory() as session:
        rows = session.execute(
            select(Alert.status, func.count()).group_by(Alert.status)
        )
        return {status: n for status, n in rows}


def test_baseline_is_silent_then_new_and_edited_pages_are_announced(mw):
    first = mw.run("run")
    assert first.returncode == 0, first.stderr
    assert re.fullmatch(
        r"baseline recorded: \d+ documents, no alerts sent\n", first.stdout
    )
    publish_new_meeting(mw.site)
    edit_known_meeting(mw.site)
    second = mw.run("run")
    assert second.returncode == 0, second.stderr
    assert "New meeting: Japan-Chile Foreign Ministers\u2019 Meeting" in second.stdout
    assert "Updated: Japan-U.S. Foreign Ministers\u2019 Meeting" in second.stdout
    assert "cycle done: 2 changes, 2 alerts queued, 2 sent" in second.stdout
    third = mw.run("run")
    assert third.returncode == 0, third.stderr
    assert third.stdout == "cycle done: 0 changes, 0 alerts queued, 0 sent\n"
    assert [r.status for r in _runs(mw.db_url)] == [RunStatus.OK] * 3


def test_no_alerts_queues_and_dry_run_prints_without_sending(mw):
    assert mw.run("run").returncode == 0
    publish_new_meeting(mw.site)
    queued = mw.run("run", "--no-alerts")
    assert queued.returncode == 0, queued.stderr
    assert "New meeting" not in queued.stdout
    assert _alert_statuses(mw.db_url) == {AlertStatus.PENDING: 1}
    runs_before = len(_runs(mw.db_url))
    requests_before = len(mw.site.requests)
    dry = mw.run("run", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would send to console: New meeting: Japan-Chile" in dry.stdout
    assert _alert_statuses(mw.db_url) == {AlertStatus.PENDING: 1}
    assert len(_runs(mw.db_url)) == runs_before
    assert len(mw.site.requests) == requests_before
    sent = mw.run("run")
    assert "New meeting: Japan-Chile" in sent.stdout
    assert _alert_statuses(mw.db_url) == {AlertStatus.SENT: 1}


def test_every_index_blocked_exits_4(mw):
    for prefix in ("/press/*", "/na/*"):
        mw.site.set_fault(prefix, Fault.blocked())
    result = mw.run("run")
    assert result.returncode == 4, result.stdout + result.stderr
    assert _runs(mw.db_url)[-1].status == RunStatus.BLOCKED


def test_unreachable_database_exits_2_with_masked_url(mw):
    mw.env["MOFAWATCH_DATABASE_URL"] = "postgresql+psycopg://watch:s3cret@127.0.0.1:9/x"
    result = mw.run("run")
    assert result.returncode == 2
    assert "watch:***@127.0.0.1:9/x" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout


def _started(mw):
    """A first run, inside its crawl: its baseline cannot end before the test calls
    mw.site.release_held() (or 25 s pass, within the 30 s download time-out)."""
    mw.site.set_fault("/press/release/index.html", Fault.held(25, times=1))
    first = mw.popen("run")
    deadline = time.monotonic() + 120
    while not psutil.Process(first.pid).children():
        assert time.monotonic() < deadline, "the first run never started its crawl"
        assert first.poll() is None, first.communicate()
        time.sleep(0.05)
    return first


def test_second_run_exits_3_at_once_naming_the_holder(mw):
    first = _started(mw)
    try:
        second = mw.run("run")
        first_still_running = first.poll() is None
    finally:
        mw.site.release_held()
        _out, err = first.communicate(timeout=180)
    assert second.returncode == 3
    assert f"pid {first.pid}" in second.stderr
    assert re.search(r"started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", second.stderr)
    # At once: it did not wait for the holder, which was still crawling.
    assert first_still_running
    assert first.returncode == 0, err


def test_lock_left_by_a_sigkilled_run_is_recovered_and_its_crawl_ends_itself(mw):
    first = _started(mw)
    crawl = psutil.Process(first.pid).children(recursive=True)
    assert crawl, "the crawl process was not found"
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    # Nobody kills the crawl: it notices that its parent is gone.
    _gone, alive = psutil.wait_procs(crawl, timeout=60)
    assert alive == []
    assert (mw.folder / "mofawatch.db.lock").read_text() != ""
    mw.site.release_held()
    mw.site.clear_faults()
    result = mw.run("run", timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"recovered stale lock from pid {first.pid}" in result.stderr
    assert "baseline recorded" in result.stdout
    statuses = [r.status for r in _runs(mw.db_url)]
    assert statuses == [RunStatus.FAILED, RunStatus.OK]


def test_cycle_log_line_carries_the_crawl_figures(mw):
    result = mw.run("run")
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"the crawl finished in [\d.]+ s: \d+ requests, \d+ answered 304, \d+ new, "
        r"\d+ changed, 0 failed",
        result.stderr,
    )
    assert re.search(
        r"cycle finished .*requests=\d+ not_modified=\d+ new=[1-9]\d* changed=0 "
        r"failed=0",
        result.stderr,
    )
    assert "\r" not in result.stderr  # no progress bar when nobody watches


def test_relative_database_and_warc_paths_mean_the_working_folder(mw):
    mw.env["MOFAWATCH_DATABASE_URL"] = "sqlite:///here.db"
    result = mw.run("run", "--warc", "here.warc.gz")
    assert result.returncode == 0, result.stderr
    assert re.match(r"baseline recorded: [1-9]\d* documents", result.stdout)
    assert (mw.folder / "here.db").is_file()
    assert (mw.folder / "here.warc.gz").stat().st_size > 0


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite://", "in-memory database"),
        ("sqlite:///:memory:", "in-memory database"),
        ("sqlite:///blocker/mofawatch.db", "does not exist"),
        ("sqlite:////proc/mofawatch.db", "cannot create the lock file"),
        ("nonsense", "not a database URL"),
    ],
)
def test_a_database_that_cannot_serve_gives_one_line_and_exit_2(mw, url, says):
    (mw.folder / "blocker").write_text("a file, not a folder")
    mw.env["MOFAWATCH_DATABASE_URL"] = url
    result = mw.run("run")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("mofawatch")]
    assert says in line
    assert mw.site.requests == []


def test_dry_run_on_a_database_never_initialised_exits_2(mw):
    result = mw.run("run", "--dry-run")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "no mofawatch schema: run `mofawatch init` first" in result.stderr


def test_a_database_of_a_newer_mofawatch_is_refused_with_exit_2(mw):
    assert mw.run("run").returncode == 0
    with opened_database(mw.db_url) as factory, factory.begin() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    result = mw.run("run")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "schema revision f00d, which this version of mofawatch does not know" in (
        result.stderr
    )


def _read_terminal(master: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_long_crawl_shows_progress_on_a_terminal(mw):
    mw.site.set_fault("/*", Fault.slow(0.3))  # a crawl longer than the bar's delay
    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        proc = mw.popen("run", stdout=subprocess.PIPE, stderr=terminal)
        os.close(terminal)
        shown = _read_terminal(master)
        out, _ = proc.communicate(timeout=120)
    finally:
        os.close(master)
    assert proc.returncode == 0, shown
    assert out.startswith("baseline recorded: ")
    assert re.search(r"crawl: \d+ requests .*304: \d+, new: \d+", shown), shown
    assert "\r" in shown  # redrawn in place
