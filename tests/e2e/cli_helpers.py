"""Run the real `mofawatch` CLI in a subprocess against the simulated site."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.demo import demo_env

ROOT = Path(__file__).resolve().parents[2]


class Installation:
    """A mofawatch with its own SQLite database and config, pointed at `site`."""

    def __init__(self, site, folder: Path, config_extra: str = "") -> None:
        self.site = site
        self.folder = folder
        self.env = demo_env(site.base_url, folder)
        if config_extra:
            config = folder / "mofawatch.toml"
            config.write_text(config.read_text() + config_extra)
        self.db_url = self.env["MOFAWATCH_DATABASE_URL"]

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "monitor", *args]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            env=self.env,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def popen(
        self, *args: str, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs
    ) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            env=self.env,
            cwd=self.folder,
            text=True,
            stdout=stdout,
            stderr=stderr,
            **kwargs,
        )
