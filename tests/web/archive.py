"""An archive filled by real cycles of the simulated site, for the web view's tests:
a baseline, then a new readout, an edited readout (so a diff exists) and a page whose
title and body carry markup that must show as text."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from tests.demo import EDITED_PAGE, edit_known_meeting, publish_new_meeting
from tests.e2e.cli_helpers import Installation
from tests.sitesim import SiteSim

HOSTILE_TITLE = (
    "<script>alert(1)</script> Japan-Chile Foreign Ministers\u2019 Meeting "
    "<img src=x onerror=alert(2)>"
)
HOSTILE_BODY = "<img src=x onerror=alert(3)> <b>bold</b>"
HOSTILE_SERIAL = 481


@dataclass(frozen=True)
class FilledArchive:
    installation: Installation
    database_url: str
    edited_path: str
    hostile_path: str


def fill_archive(folder: Path, site: SiteSim) -> FilledArchive:
    """Two cycles of `mofawatch run` with the site changed in between."""
    installation = Installation(site, folder)
    _run(installation)
    publish_new_meeting(site)
    hostile = publish_new_meeting(
        site, serial=HOSTILE_SERIAL, title=html.escape(HOSTILE_TITLE, quote=False)
    )
    page = site.read_page(hostile)
    marker = "On April 23"
    assert marker in page
    site.write_page(
        hostile, page.replace(marker, html.escape(HOSTILE_BODY) + " " + marker, 1)
    )
    edit_known_meeting(site)
    _run(installation)
    return FilledArchive(installation, installation.db_url, EDITED_PAGE, hostile)


def _run(installation: Installation) -> None:
    result = installation.run("-q", "run", "--no-alerts", timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
