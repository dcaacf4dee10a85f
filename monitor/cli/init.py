"""`mofawatch init`: create or upgrade the database, write a commented config file."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import examples, say
from monitor.exitcodes import ExitCode

logger = logging.getLogger(__name__)

CONFIG_NAME = "mofawatch.toml"

CONFIG_TEMPLATE = """\
# mofawatch configuration. Every key has a default: delete what you do not need.
# Environment variables override: MOFAWATCH_DATABASE_URL, MOFAWATCH_BASE_URL,
# MOFAWATCH_SMTP_PASSWORD, MOFAWATCH_SLACK_WEBHOOK_URL. Secrets belong there only.

[site]
base_url = "https://www.mofa.go.jp"
# parts of the site to watch (any of these four)
sections = ["press_releases", "press_conferences", "statements", "japan_us"]
languages = ["en"]                # en and/or ja
since = "2022-01"                 # how far back the first crawl reaches (YYYY-MM)
user_agent = "mofawatch/1.0 (+https://example.org/contact)"  # say who you are
download_delay = 2.0              # seconds between requests to the host

[database]
# SQLite file next to this one; for PostgreSQL:
# url = "postgresql+psycopg://mofawatch@db.example.org/mofawatch"
# (put a password in MOFAWATCH_DATABASE_URL rather than here)
url = "sqlite:///mofawatch.db"

[schedule]                        # used by `mofawatch daemon`
cron = "*/30 * * * *"             # or: interval = "30m" (not both)
jitter_seconds = 60               # random delay so runs do not hit the site on the dot
timezone = "Asia/Tokyo"           # time zone of the cron expression

# Where alerts go. The console channel prints them; uncomment the others to use them.
[[channels]]
name = "console"
type = "console"                  # email | slack | webhook | console

# [[channels]]
# name = "desk"
# type = "email"
# to = ["desk@example.org"]
# from = "mofawatch@example.org"
# smtp_host = "smtp.example.org"
# smtp_port = 587
# security = "starttls"           # none | starttls | ssl
# username = "mofawatch"          # password: MOFAWATCH_SMTP_PASSWORD

# [[channels]]
# name = "team"
# type = "slack"                  # webhook URL: MOFAWATCH_SLACK_WEBHOOK_URL
#                                 # or webhook_url_env = "NAME"

# Which changes go to which channels (add "desk", "team" once they are set up).
[[rules]]
channels = ["console"]
events = ["new", "updated", "removed"]  # also: restored
meetings_only = false             # true: only meeting readouts
keywords = []                     # any of these words in title or body; [] = all
mode = "immediate"                # or "digest" with digest_at = "08:00"

# Operational alerts: blocked by the site, repeated failures, layout drift, silence.
[ops]
channels = ["console"]
silence_days = 14                 # alert when no new document for this many days

# [retention]
# keep_snapshots = 5              # `mofawatch prune` keeps this many raw pages per URL
"""


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
    if config_path is not None:
        return f"using the configuration in {config_path}"
    path = Path(CONFIG_NAME)
    if path.exists():
        return f"kept the existing {path}"
    path.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    return f"wrote {path.resolve()} (commented; edit it to set channels and rules)"
