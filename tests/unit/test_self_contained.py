"""The project names no path outside its own checkout (a newcomer has none of them)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# An absolute path into a machine's folders, or the shared folder beside the checkout.
OUTSIDE = re.compile(
    r"(?<![\w.~])(/(?:work|farm|root|home|tmp/[\w-]+)/[\w./-]+|\.\./shared\b)"
)
ALLOWED_SUFFIXES = {".md"}  # prose may say where reference material lives


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [ROOT / name.decode() for name in listed if name]


def test_no_tracked_file_names_a_path_outside_the_checkout():
    offenders = []
    for path in _tracked_files():
        if path.suffix in ALLOWED_SUFFIXES or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        offenders += [
            f"{path.relative_to(ROOT)}: {m.group(1)}" for m in OUTSIDE.finditer(text)
        ]
    assert offenders == []


def test_the_pattern_sees_an_outside_path():
    # Built from parts, so that this file names no outside path itself.
    machine_path = "/" + "/".join(("work", "shared", "mofa-sample-site"))
    beside = "/".join(("..", "shared", "seeds", "000.txt"))
    assert OUTSIDE.search(f'SAMPLE = Path("{machine_path}")')
    assert OUTSIDE.search(f"read {beside}")
    assert not OUTSIDE.search("sqlite:///mofawatch.db")
