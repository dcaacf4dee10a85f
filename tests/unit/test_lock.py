"""The cycle lock: one holder at a time, a named holder, stale locks recovered."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from storage.locks import LockHeldError, LockHolder, cycle_lock, lock_path_for

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'mofawatch.db'}"


def test_lock_file_lives_beside_the_sqlite_database(tmp_path):
    assert lock_path_for(_sqlite_url(tmp_path)) == tmp_path / "mofawatch.db.lock"
    assert lock_path_for("sqlite://") is None
    assert lock_path_for("postgresql+psycopg://u:p@h/db") is None


def test_second_holder_is_refused_with_pid_and_start_time(tmp_path):
    url = _sqlite_url(tmp_path)
    with cycle_lock(url, NOW), pytest.raises(LockHeldError) as info:  # noqa: SIM117
        with cycle_lock(url, NOW):
            pass
    message = str(info.value)
    assert f"pid {os.getpid()}" in message
    assert "2026-11-23T09:30:00+00:00" in message
    assert info.value.holder is not None
    assert info.value.holder.pid == os.getpid()


def test_lock_is_free_again_after_release(tmp_path):
    url = _sqlite_url(tmp_path)
    with cycle_lock(url, NOW):
        pass
    with cycle_lock(url, NOW) as holder:
        assert holder.holder.pid == os.getpid()
    assert (tmp_path / "mofawatch.db.lock").read_text() == ""


def test_lock_released_when_the_block_raises(tmp_path):
    url = _sqlite_url(tmp_path)
    with pytest.raises(RuntimeError), cycle_lock(url, NOW):
        raise RuntimeError("boom")
    with cycle_lock(url, NOW):
        pass


def test_leftover_file_of_a_dead_process_is_recovered_and_logged(tmp_path, caplog):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = LockHolder(pid=dead.pid, started_at=NOW, host=os.uname().nodename)
    (tmp_path / "mofawatch.db.lock").write_text(holder.to_json())
    url = _sqlite_url(tmp_path)
    with (
        caplog.at_level(logging.WARNING, logger="storage.locks"),
        cycle_lock(url, NOW) as me,
    ):
        recorded = json.loads((tmp_path / "mofawatch.db.lock").read_text())
        assert recorded["pid"] == me.holder.pid
    assert f"recovered stale lock from pid {dead.pid}" in caplog.text


HOLD = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from storage.locks import cycle_lock
    with cycle_lock(sys.argv[1], datetime.now(UTC)):
        print("held", flush=True)
        time.sleep(60)
    """
)


def _hold_then_sigkill(url):
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, url], stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "held"
            with pytest.raises(LockHeldError, match=f"pid {proc.pid}"):  # noqa: SIM117
                with cycle_lock(url, NOW):
                    pass
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    return proc.pid


def test_lock_of_a_sigkilled_process_is_taken_over(tmp_path, caplog):
    url = _sqlite_url(tmp_path)
    pid = _hold_then_sigkill(url)
    with (
        caplog.at_level(logging.WARNING, logger="storage.locks"),
        cycle_lock(url, NOW),
    ):
        pass
    assert f"recovered stale lock from pid {pid}" in caplog.text


def _postgres_url():
    url = os.environ.get(
        "MOFAWATCH_TEST_POSTGRES_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc.orig}")
    finally:
        engine.dispose()
    return url


@pytest.mark.postgres
def test_postgres_advisory_lock_refuses_a_second_holder_and_names_it(tmp_path):
    url = _postgres_url()
    with cycle_lock(url, NOW), pytest.raises(LockHeldError) as info:  # noqa: SIM117
        with cycle_lock(url, NOW):
            pass
    assert f"pid {os.getpid()}" in str(info.value)
    assert "2026-11-23T09:30:00+00:00" in str(info.value)
    with cycle_lock(url, NOW):
        pass


@pytest.mark.postgres
def test_postgres_lock_of_a_sigkilled_process_is_released(tmp_path):
    url = _postgres_url()
    _hold_then_sigkill(url)
    deadline = time.monotonic() + 10
    while True:  # the server notices the dropped connection within a moment
        try:
            with cycle_lock(url, NOW):
                break
        except LockHeldError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
