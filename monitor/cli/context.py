"""What every command gets: the global options and the settings, loaded on first use."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from monitor.config import Settings


@dataclass
class Context:
    """Parsed global options and lazily loaded settings (a command may need none)."""

    config_path: str | None
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    _settings: Settings | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            from monitor.config import load_settings

            self._settings = load_settings(self.environ, self.config_path)
        return self._settings


pass_context = click.make_pass_decorator(Context)
