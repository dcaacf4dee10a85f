"""Long work shows a progress bar when stderr is a terminal (a real pseudo-terminal
here) and only its one-line summary otherwise."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

from tests.conftest import fixture_path

pytestmark = pytest.mark.e2e

WARC = str(fixture_path("replay/captures.warc.gz"))


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOFAWATCH_")}
    env.update(
        MOFAWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'mofawatch.db'}",
        MOFAWATCH_BASE_URL="https://www.mofa.go.jp",
    )
    return env


def _read_all(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the last writer of the terminal's other side is gone
            return
        if not chunk:
            return
        into.append(chunk)


def mofawatch(tmp_path: Path, *args: str, tty: bool) -> tuple[int, str, str]:
    """Run the command with stderr on a pseudo-terminal or a pipe; (code, out, err)."""
    command = [sys.executable, "-m", "monitor", *args]
    if not tty:
        done = subprocess.run(
            command, cwd=tmp_path, env=_env(tmp_path), capture_output=True, timeout=120
        )
        return done.returncode, done.stdout.decode(), done.stderr.decode()
    master, slave = pty.openpty()
    # A new pseudo-terminal is 0 columns wide; a user's terminal is not.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=slave,
        )
    finally:
        os.close(slave)
    chunks: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(master, chunks))
    reader.start()
    try:
        out, _ = process.communicate(timeout=120)
        reader.join(timeout=30)
    finally:
        os.close(master)
    return process.returncode, out.decode(), b"".join(chunks).decode()


def test_replay_reextract_and_export_draw_a_bar_on_a_terminal(tmp_path):
    code, out, err = mofawatch(tmp_path, "replay", WARC, tty=True)
    assert code == 0, err
    responses = int(out.split("replayed ", 1)[1].split()[0])
    assert "\r" in err
    assert "replay:" in err
    assert f"{responses}/{responses}" in err
    assert "100%" in err

    code, out, err = mofawatch(tmp_path, "reextract", "--dry-run", tty=True)
    assert code == 0, err
    pages = int(out.split("re-extracted ", 1)[1].split()[0])
    assert "reextract: 100%" in err
    assert f"{pages}/{pages}" in err

    code, out, err = mofawatch(tmp_path, "export", tty=True)
    assert code == 0, err
    assert f"export: {len(out.splitlines())}doc" in err


def test_without_a_terminal_only_the_summary_is_printed(tmp_path):
    code, out, err = mofawatch(tmp_path, "replay", WARC, tty=False)
    assert code == 0, err
    assert out.startswith("replayed ")
    assert len(out.splitlines()) == 1
    assert "\r" not in err
    assert "%|" not in err

    code, out, err = mofawatch(tmp_path, "reextract", tty=False)
    assert code == 0, err
    assert out.startswith("re-extracted ")
    assert "\r" not in err

    code, out, err = mofawatch(tmp_path, "export", tty=False)
    assert code == 0, err
    assert "\r" not in err
    assert f"exported {len(out.splitlines())} documents" in err
