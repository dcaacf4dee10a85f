"""The web view's fixtures: one archive filled by real cycles for the whole session,
the server over it, and a headless Chromium from the OS packages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sitesim import SiteSim
from tests.web.archive import FilledArchive, fill_archive
from tests.web.serving import Served

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="session")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FilledArchive]:
    folder = tmp_path_factory.mktemp("web-archive")
    site = SiteSim.from_fixture(folder / "site").start()
    try:
        yield fill_archive(folder, site)
    finally:
        site.stop()


@pytest.fixture(scope="session")
def served(filled: FilledArchive) -> Iterator[Served]:
    server = Served(filled.installation, env={})
    yield server
    server.stop()


def require_browser() -> None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    message = "Chromium not installed: apt-get install -y chromium chromium-driver"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
