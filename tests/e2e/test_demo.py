"""`python -m tests.demo` (what `make demo` runs) prints the two alerts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e.cli_helpers import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(200)]


def test_demo_prints_baseline_two_alerts_and_the_changes():
    env_clean = {k: v for k, v in os.environ.items() if not k.startswith("MOFAWATCH_")}
    result = subprocess.run(
        [sys.executable, "-m", "tests.demo"],
        cwd=ROOT,
        env=env_clean,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "baseline recorded: 13 documents, no alerts sent" in out
    assert out.count("New meeting: Japan-Chile Foreign Ministers\u2019 Meeting") == 1
    assert out.count("Updated: Japan-U.S. Foreign Ministers\u2019 Meeting") == 1
    assert "+ 70 min" in out
    history = out.split("$ mofawatch -q changes", 1)[1]
    assert "new       pressite_000001_00480" in history
    assert "updated   page4e_001274" in history
    last = out.strip().splitlines()[-1]
    assert last == (
        "MOFAWATCH_DATABASE_URL=sqlite:///demo-output/mofawatch.db "
        ".venv/bin/mofawatch serve"
    )
    assert (ROOT / "demo-output" / "mofawatch.db").stat().st_size > 0
