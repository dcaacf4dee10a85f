"""A replay holds the cycle lock: `mofawatch run` meanwhile exits 3 naming it, as the
README says, and the replay goes on to finish."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from tests.conftest import fixture_path
from tests.e2e.cli_helpers import Installation

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

PAGES = 1500  # enough captures that the replay is seen holding the lock


def _saved_folder(folder, base_url):
    folder.mkdir()
    page = fixture_path("site/press/release/press4e_003170.html").read_bytes()
    rows = ["path,url,fetched_at"]
    for n in range(PAGES):
        (folder / f"{n}.html").write_bytes(page)
        url = f"{base_url}/press/release/pressite_000001_{10000 + n}.html"
        rows.append(f"{n}.html,{url},2026-10-01T03:00:00+00:00")
    (folder / "urls.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def _holder_pid(lock_file):
    try:
        text = lock_file.read_text(encoding="utf-8")
        return json.loads(text).get("pid") if text else None
    except (OSError, ValueError):
        return None


def test_run_during_a_replay_exits_3_and_the_replay_finishes(site, tmp_path):
    mw = Installation(site, tmp_path)
    assert mw.run("init").returncode == 0
    _saved_folder(tmp_path / "saved", site.base_url)
    lock_file = tmp_path / "mofawatch.db.lock"
    replay = mw.popen("replay", "saved")
    try:
        while _holder_pid(lock_file) != replay.pid:
            assert replay.poll() is None, "the replay ended before it took the lock"
            time.sleep(0.005)
        os.kill(replay.pid, signal.SIGSTOP)  # it holds the lock while we look
        try:
            result = mw.run("run")
        finally:
            os.kill(replay.pid, signal.SIGCONT)
        out, err = replay.communicate(timeout=240)
    finally:
        if replay.poll() is None:
            replay.kill()
    assert result.returncode == 3, result.stdout + result.stderr
    assert f"pid {replay.pid}" in result.stderr
    assert replay.returncode == 0, out + err
