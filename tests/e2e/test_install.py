"""A real install: the wheel installed (not editable) into a scratch virtualenv, used
from a folder of its own as the README's "A first real run" says.

The dependencies come from the test environment (a .pth file), so nothing but the
wheel's own build needs the package registry.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("crawler", "monitor", "storage", "pyproject.toml", "README.md")


def _sh(*command: str | Path, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the wheel built from this checkout, and nothing else of it."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    for name in SHIPPED:  # a clean copy: no build/ or egg-info left in the checkout
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(ROOT / name, source / name)
    pip = (sys.executable, "-m", "pip")
    _sh(*pip, "wheel", "--quiet", "--no-deps", "-w", root / "wheels", source)
    (wheel,) = (root / "wheels").glob("mofa_watch-*.whl")
    _sh(sys.executable, "-m", "venv", "--without-pip", root / "venv")
    python = root / "venv" / "bin" / "python"
    _sh(*pip, "--python", python, "install", "--quiet", "--no-deps", wheel)
    target = _sh(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    deps = sysconfig.get_path("purelib")
    (Path(target.stdout.strip()) / "mofawatch-test-deps.pth").write_text(deps + "\n")
    return root / "venv"


def _user_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MOFAWATCH_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }


def _mofawatch(
    venv: Path, folder: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "mofawatch"), *args],
        cwd=folder,
        env=_user_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_installed_package_is_the_wheel_not_the_checkout(venv, tmp_path):
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import monitor, crawler, storage; "
         "print(monitor.__file__, crawler.__file__, storage.__file__)"],
        cwd=tmp_path, env=_user_env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    for path in where.stdout.split():
        assert Path(path).is_relative_to(venv), path


def test_a_first_real_run_from_a_folder_of_its_own(venv, site, tmp_path):
    folder = tmp_path / "watch"
    folder.mkdir()
    init = _mofawatch(venv, folder, "init")
    assert init.returncode == 0, init.stderr
    config = folder / "mofawatch.toml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^#? *base_url = .*$", f'base_url = "{site.base_url}"', text)
    text = re.sub(r"(?m)^#? *download_delay = .*$", "download_delay = 0", text)
    config.write_text(text, encoding="utf-8")

    first = _mofawatch(venv, folder, "run")

    assert first.returncode == 0, first.stdout + first.stderr
    found = re.match(
        r"baseline recorded: (\d+) documents, no alerts sent", first.stdout
    )
    assert found, first.stdout
    assert int(found.group(1)) > 0
    assert "requests=" in first.stderr  # the cycle line carries the crawl's figures
    assert (folder / "mofawatch.db").is_file()
    assert not (ROOT / "mofawatch.db").exists()

    second = _mofawatch(venv, folder, "run", "--warc", "crawl.warc.gz")

    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.startswith("cycle done: 0 changes")
    assert (folder / "crawl.warc.gz").stat().st_size > 0


def test_a_crawl_that_fails_says_why_in_the_run_output(venv, site, tmp_path):
    folder = tmp_path / "watch"
    folder.mkdir()
    (folder / "mofawatch.toml").write_text(
        f'[site]\nbase_url = "{site.base_url}"\ndownload_delay = 0\n', encoding="utf-8"
    )
    (folder / "blocker").write_text("a file where a folder would go")

    failed = _mofawatch(venv, folder, "run", "--warc", "blocker/crawl.warc.gz")

    assert failed.returncode == 1, failed.stdout + failed.stderr
    (problem,) = [p for p in failed.stdout.splitlines() if "the crawl failed" in p]
    # The crawl's own words, in the output of the run that started it.
    assert re.fullmatch(
        r"problem: the crawl failed \(exit 1\): [\w.]+Error: .*blocker'", problem
    )
    assert "blocker" in failed.stderr
    assert "Traceback" not in failed.stdout
