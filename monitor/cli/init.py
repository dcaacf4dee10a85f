"""`mofawatch init`: create or upgrade the database, write a commented config file."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import examples, say
from monitor.exitcodes import ExitCode

logger = logging.getLogger(__name__)


@click.command(
    epilog=examples(
        "mofawatch init",
        "MOFAWATCH_DATABASE_URL=postgresql+psycopg://watch@db/mofawatch \\\n"
        "      mofawatch init --no-config-file",
    )
)
@click.option("--no-config-file", is_flag=True, help="Do not write mofawatch.toml.")
@pass_context
def init(ctx: Context, no_config_file: bool) -> int:
    """Create or upgrade the database; write mofawatch.toml.

    The schema is brought to the newest revision (Alembic upgrade head). A
    commented mofawatch.toml is written in this folder unless one exists or
    --config names another.
    """
    from storage.db import (
        current_revision,
        head_revision,
        mask_url,
        require_persistent_url,
        upgrade_database,
    )

    settings = ctx.settings()
    url = require_persistent_url(settings.database_url)
    before = current_revision(url)
    upgrade_database(url)
    head = head_revision()
    if before is None:
        say(f"created the database schema (revision {head}) at {mask_url(url)}")
    elif before == head:
        say(f"database at {mask_url(url)} is up to date (revision {head})")
    else:
        say(f"upgraded the database at {mask_url(url)} from {before} to {head}")
    if not no_config_file:
        say(_write_config(settings.config_path))
    return ExitCode.OK


def _write_config(config_path: Path | None) -> str:
    from monitor.config import CONFIG_NAME
    from monitor.config.template import default_config_text

    if config_path is not None:
        return f"using the configuration in {config_path}"
    path = Path(CONFIG_NAME)
    if path.exists():
        return f"kept the existing {path}"
    path.write_text(default_config_text(), encoding="utf-8")
    return f"wrote {path.resolve()} (commented; edit it to set channels and rules)"
