"""`make demo`: the whole pipeline offline against the bundled simulated site.

Run from the project root (`python -m tests.demo`): it imports tests.sitesim.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.sitesim import SiteSim

logger = logging.getLogger(__name__)

TEMPLATE_PAGE = "/press/release/pressite_000001_00447.html"
NEW_PAGE = "/press/release/pressite_000001_00480.html"
NEW_TITLE = "Japan-Chile Foreign Ministers\u2019 Meeting"
EDITED_PAGE = "/na/na1/us/page4e_001274.html"
EDIT_OLD, EDIT_NEW = "approximately 55 minutes", "approximately 70 minutes"
DEMO_FOLDER = "demo-output"  # the demo's database is kept here, for `serve`
SERVE = ".venv/bin/mofawatch serve"
CONFIG = """\
[site]
download_delay = 0
retry_times = 0

[site.revisit]
every_cycle_days = 36500   # revisit every page each cycle, so the edit is seen at once
"""


def publish_new_meeting(
    site: SiteSim, serial: int = 480, title: str = NEW_TITLE
) -> str:
    """Add an invented meeting readout, linked first on the press-release index."""
    doc_id = f"pressite_000001_{serial:05d}"
    path = f"/press/release/{doc_id}.html"
    page = (
        site.read_page(TEMPLATE_PAGE)
        .replace("Japan-Philippines Foreign Ministers\u2019 Working Lunch", title)
        .replace("pressite_000001_00447", doc_id)
        .replace("April 9, 2024", "April 23, 2024")
        .replace("On April 9", "On April 23")
        .replace(
            "Ramon Villareal, Secretary of Foreign Affairs of the Republic of the "
            "Philippines",
            "Valentina Quiroga, Minister of Foreign Affairs of the Republic of Chile",
        )
        .replace("Mr. Valentina", "Ms. Valentina")
        .replace("working lunch", "meeting")
    )
    site.add_page(
        path,
        page,
        index_path="/press/release/index.html",
        link_text=title,
        index_date="April 23",
    )
    return path


def edit_known_meeting(site: SiteSim) -> str:
    """Change the duration of a known Japan-U.S. meeting readout."""
    site.edit_page(EDITED_PAGE, EDIT_OLD, EDIT_NEW)
    return EDITED_PAGE


def _mofawatch(env: dict[str, str], *args: str) -> int:
    command = [sys.executable, "-m", "monitor", *args]
    print(f"\n$ mofawatch {' '.join(args)}", flush=True)
    return subprocess.run(command, env=env, check=False, timeout=600).returncode


def demo_env(base_url: str, folder: Path) -> dict[str, str]:
    """The environment of a mofawatch pointed at the site, with SQLite in folder."""
    config = folder / "mofawatch.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOFAWATCH_")}
    env.update(
        MOFAWATCH_BASE_URL=base_url,
        MOFAWATCH_DATABASE_URL=f"sqlite:///{folder / 'mofawatch.db'}",
        MOFAWATCH_CONFIG=str(config),
        PYTHONPATH=os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")])),
    )
    return env


def main() -> int:
    from tests.sitesim import SiteSim

    with tempfile.TemporaryDirectory(prefix="mofawatch-demo-") as tmp:
        folder = Path(tmp)
        site = SiteSim.from_fixture(folder / "site").start()
        try:
            env = demo_env(site.base_url, folder)
            print(f"Simulated www.mofa.go.jp at {site.base_url}; database in {folder}")
            print("\n== 1. First cycle on an empty database: a silent baseline")
            if _mofawatch(env, "-q", "run") != 0:
                return 1
            print("\n== 2. The site publishes a new meeting readout and edits another")
            print(f"   new:    {publish_new_meeting(site)} ({NEW_TITLE})")
            print(f"   edited: {edit_known_meeting(site)} ({EDIT_OLD} -> {EDIT_NEW})")
            print("\n== 3. Next cycle: one alert for each, on the console")
            if _mofawatch(env, "-q", "run") != 0:
                return 1
            print("\n== 4. The history")
            if _mofawatch(env, "-q", "changes") != 0:
                return 1
        finally:
            site.stop()
        kept = keep_database(folder / "mofawatch.db", Path(DEMO_FOLDER))
    print(
        "\n== 5. The archive in a browser: serve it, then open http://127.0.0.1:8080/"
    )
    print(f"MOFAWATCH_DATABASE_URL=sqlite:///{kept.as_posix()} {SERVE}")
    return 0


def keep_database(source: Path, folder: Path) -> Path:
    """A consistent copy of the demo's SQLite database (WAL included) in `folder`,
    relative to the working directory, replacing an older one."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    target.unlink(missing_ok=True)
    with (
        closing(sqlite3.connect(source)) as db,
        closing(sqlite3.connect(target)) as out,
    ):
        db.backup(out)
    return target


if __name__ == "__main__":
    raise SystemExit(main())
