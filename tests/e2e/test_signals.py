"""Signals and kills: `run` stops its crawl, records the run as interrupted, releases
the lock; an interrupted baseline or backfill stays silent; no secret in the crawl's
command line or environment."""

from __future__ import annotations

import signal
import subprocess
import time

import psutil
import pytest
from sqlalchemy import func, select

from storage.db import opened_database, upgrade_database
from storage.models import Alert, Change, Document, Run, RunStatus
from tests.demo import NEW_TITLE, publish_new_meeting
from tests.e2e.cli_helpers import Installation
from tests.sitesim import Fault

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

GRACE = 10 + 20  # the crawl's SIGTERM grace period, and slack for a loaded machine


@pytest.fixture
def mw(site, tmp_path):
    return Installation(site, tmp_path)


def _scalar(db_url, stmt):
    with opened_database(db_url) as factory, factory() as session:
        return session.scalar(stmt)


def _statuses(db_url):
    with opened_database(db_url) as factory, factory() as session:
        return list(session.scalars(select(Run.status).order_by(Run.id)))


def _documents(db_url) -> int:
    try:
        return _scalar(db_url, select(func.count(Document.id))) or 0
    except Exception:  # the schema is not there yet
        return 0


def _crawling(mw, proc, *, stored=False):
    """Wait until the run's crawl has had an entry page answered (and, if `stored`,
    has stored a document); the crawl's processes."""
    deadline = time.monotonic() + 120
    while not mw.site.requests_for("/press/") or (
        stored and _documents(mw.db_url) == 0
    ):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the crawl did not get under way"
        time.sleep(0.1)
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "no crawl process"
    return children


def _slow_site(mw):
    # Every answer takes a second: the crawl lasts long enough to be interrupted.
    mw.site.set_fault("/*", Fault.slow(1))


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_the_crawl_records_the_run_and_releases_the_lock(mw, sig, code):
    _slow_site(mw)
    proc = mw.popen("run")
    crawl = _crawling(mw, proc)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=GRACE)
    assert proc.returncode == code, err
    _gone, alive = psutil.wait_procs(crawl, timeout=5)
    assert alive == []  # the crawl went down with the run, not after it
    assert f"interrupted by {sig.name} during the crawl" in out
    assert _statuses(mw.db_url) == [RunStatus.INTERRUPTED]
    assert (mw.folder / "mofawatch.db.lock").read_text() == ""  # released


def test_interrupted_baseline_is_continued_silently_by_the_next_run(mw):
    _slow_site(mw)
    proc = mw.popen("run")
    _crawling(mw, proc, stored=True)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=GRACE)
    stored = _documents(mw.db_url)
    mw.site.clear_faults()

    second = mw.run("run")

    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("baseline recorded: ")
    assert "continuing the baseline begun by run 1" in second.stderr
    assert _documents(mw.db_url) >= stored > 0
    assert _scalar(mw.db_url, select(func.count(Alert.id))) == 0
    assert _scalar(mw.db_url, select(func.count()).where(~Change.is_silent)) == 0
    third = mw.run("run")
    assert third.stdout == "cycle done: 0 changes, 0 alerts queued, 0 sent\n"
    assert _statuses(mw.db_url) == [RunStatus.INTERRUPTED, RunStatus.OK, RunStatus.OK]


def test_interrupted_backfill_stays_silent_in_the_next_run(mw):
    assert mw.run("run").returncode == 0  # the baseline
    publish_new_meeting(mw.site)  # found by the backfill: recorded, not announced
    _slow_site(mw)
    before = _documents(mw.db_url)
    mw.site.clear_requests()
    proc = mw.popen("run", "--since", "2022-01")
    deadline = time.monotonic() + 120
    while not mw.site.requests_for("/press/release/index.html"):
        assert time.monotonic() < deadline, "the backfill never reached the site"
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=GRACE)
    assert proc.returncode == 143
    mw.site.clear_faults()

    second = mw.run("run")

    assert second.returncode == 0, second.stderr
    assert NEW_TITLE not in second.stdout
    assert second.stdout.startswith("baseline recorded: ")
    assert _documents(mw.db_url) == before + 1
    assert _scalar(mw.db_url, select(func.count(Alert.id))) == 0


def test_daemon_on_sigterm_stops_its_crawl_and_exits_0(site, tmp_path):
    mw = Installation(site, tmp_path, '\n[schedule]\ninterval = "1h"\n')
    _slow_site(mw)
    err = (tmp_path / "daemon.err").open("w")
    proc = mw.popen("daemon", stdout=subprocess.DEVNULL, stderr=err)
    try:
        crawl = _crawling(mw, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=GRACE) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        err.close()
    _gone, alive = psutil.wait_procs(crawl, timeout=5)
    assert alive == []
    assert _statuses(mw.db_url) == [RunStatus.INTERRUPTED]
    assert "daemon stopped" in (tmp_path / "daemon.err").read_text()


@pytest.mark.postgres
def test_no_secret_in_the_crawl_command_line_or_environment(
    site, tmp_path, postgres_url
):
    mw = Installation(site, tmp_path)
    # The test server trusts local connections, so any password is accepted.
    with_password = postgres_url.replace("postgres@", "postgres:pw-Kq7%23x@", 1)
    assert "pw-Kq7" in with_password
    upgrade_database(with_password)
    mw.env["MOFAWATCH_DATABASE_URL"] = mw.db_url = with_password
    mw.env["MOFAWATCH_SMTP_PASSWORD"] = "smtp-Zr4"
    _slow_site(mw)
    proc = mw.popen("run")
    try:
        (crawl, *_rest) = _crawling(mw, proc)
        seen = {name: (crawl_file(crawl.pid, name)) for name in ("cmdline", "environ")}
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=GRACE)
    for name, raw in seen.items():
        assert b"pw-Kq7" not in raw, name
        assert b"smtp-Zr4" not in raw, name
    assert b"crawler" in seen["cmdline"]
    assert "pw-Kq7" not in out + err


def crawl_file(pid: int, name: str) -> bytes:
    with open(f"/proc/{pid}/{name}", "rb") as fh:
        return fh.read()
