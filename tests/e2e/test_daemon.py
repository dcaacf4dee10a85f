"""`mofawatch daemon`: cycles on a short interval, sees a page published between
cycles, keeps its schedule across a restart, and exits 0 on SIGTERM."""

from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from storage.db import opened_database
from storage.models import Change, ChangeKind, Document, Run, RunStatus
from tests.demo import NEW_PAGE, publish_new_meeting
from tests.e2e.cli_helpers import Installation

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SHORT = '\n[schedule]\ninterval = "2s"\njitter_seconds = 0\n'
HOURLY = '\n[schedule]\ninterval = "1h"\njitter_seconds = 0\n'


def _query(db_url, stmt):
    with opened_database(db_url) as factory, factory() as session:
        return list(session.execute(stmt))


def _finished_runs(db_url):
    try:
        finished = select(Run.status).where(Run.finished_at.is_not(None))
        rows = _query(db_url, finished.order_by(Run.id))
    except OperationalError:  # the daemon has not created the schema yet
        return []
    return [status for (status,) in rows]


def _wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


class Daemon:
    def __init__(self, mw, name):
        self.out = mw.folder / f"{name}.out"
        self.err = mw.folder / f"{name}.err"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = mw.popen("daemon", stdout=out, stderr=err)

    def stop(self, timeout=60):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def test_daemon_runs_cycles_picks_up_a_new_page_and_stops_on_sigterm(site, tmp_path):
    mw = Installation(site, tmp_path, SHORT)
    daemon = Daemon(mw, "daemon")
    try:
        # At a 2 s interval the baseline's per-cycle budget spreads it over a few
        # cycles; the page is published once it has covered the site.
        _wait_for(
            lambda: "baseline_completed=true" in daemon.err.read_text(),
            180,
            "the baseline",
        )
        publish_new_meeting(site)
        _wait_for(
            lambda: "New meeting: Japan-Chile" in daemon.out.read_text(),
            180,
            "the alert of the new page",
        )
        _wait_for(lambda: len(_finished_runs(mw.db_url)) >= 3, 180, "three cycles")
        code = daemon.stop()
    finally:
        daemon.kill()
    stderr = daemon.err.read_text()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "SIGTERM received" in stderr
    assert "daemon stopped" in stderr
    changes = _query(
        mw.db_url,
        select(Change.kind, Change.is_silent)
        .join(Document, Document.id == Change.document_id)
        .where(Document.url == site.url(NEW_PAGE)),
    )
    assert changes == [(ChangeKind.NEW, False)]
    assert daemon.out.read_text().count("New meeting: Japan-Chile") == 1
    statuses = _finished_runs(mw.db_url)
    assert len(statuses) >= 3
    # SIGTERM stops the cycle in progress, if one was: only that one is interrupted.
    assert set(statuses[:-1]) == {RunStatus.OK}
    assert statuses[-1] in (RunStatus.OK, RunStatus.INTERRUPTED)
    assert not _query(mw.db_url, select(Run.id).where(Run.finished_at.is_(None)))


def test_schedule_survives_a_restart(site, tmp_path):
    mw = Installation(site, tmp_path, HOURLY)
    first = Daemon(mw, "first")
    try:
        _wait_for(lambda: len(_finished_runs(mw.db_url)) == 1, 180, "the first cycle")
        assert first.stop() == 0
    finally:
        first.kill()
    second = Daemon(mw, "second")
    try:
        _wait_for(lambda: "daemon started" in second.err.read_text(), 120, "the start")
        time.sleep(3)
        assert second.stop() == 0
    finally:
        second.kill()
    assert "schedule kept from the job store" in second.err.read_text()
    # The stored next run is an hour away: the restart ran no cycle of its own.
    assert len(_finished_runs(mw.db_url)) == 1
