"""A configuration that cannot be used: exit 2 and one line naming the key, for every
command that reads it (no traceback, no database touched)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _mofawatch(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOFAWATCH_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "config", "message"),
    [
        (
            "daemon",
            b'[schedule]\ncron = "61 * * * *"\n',
            "[schedule] cron: bad minute in '61 * * * *'",
        ),
        (
            "status",
            b'[schedule]\ncron = "61 * * * *"\n',
            "[schedule] cron: bad minute in '61 * * * *'",
        ),
        (
            "run",
            b'[[channels]]\nname = "c"\ntype = "console"\n'
            b'[[rules]]\nchannels = ["c"]\nmeetings_only = "false"\n',
            '[rules.1] meetings_only: expected true or false, got "false"',
        ),
        (
            "run",
            '[site]\nuser_agent = "caf\u00e9"\n'.encode("latin-1"),
            "mofawatch.toml: not UTF-8 text (byte 0xe9 at offset 24)",
        ),
    ],
)
def test_bad_configuration_exits_2_with_one_line(tmp_path, command, config, message):
    (tmp_path / "mofawatch.toml").write_bytes(config)
    done = _mofawatch(tmp_path, command)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("mofawatch: configuration error: ")
    assert message in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "mofawatch.db").exists()
