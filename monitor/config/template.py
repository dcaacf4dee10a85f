"""The commented mofawatch.toml that `mofawatch init` writes, its values taken from the
schema's defaults so that the file and a missing file mean the same."""

from __future__ import annotations

import json
from typing import Any

from monitor.config.channels import ChannelSettings
from monitor.config.load import ENV_OVERRIDES
from monitor.config.schema import (
    MIN_BACKOFF_SECONDS,
    AlertSettings,
    CrawlSettings,
    DatabaseTable,
    OpsSettings,
    RuleSettings,
    ScheduleSettings,
    SiteSettings,
)
from monitor.config.vocabulary import Language
from monitor.config.web import WebTable

# The example routing: the defaults have no channel, and so no alert would be seen.
EXAMPLE_CHANNEL = "console"

_TEMPLATE = """\
# mofawatch configuration. Every value below is the default, except the console channel
# and the rule and [ops] entry that use it: delete what you do not need.
# Environment variables override: {overrides},
# MOFAWATCH_SMTP_PASSWORD, MOFAWATCH_SLACK_WEBHOOK_URL, MOFAWATCH_PROXY_URL.
# Secrets belong there only.
# Types are strict: true/false unquoted, numbers unquoted, lists in [ ].

[site]
base_url = {site.base_url}
# parts of the site to watch (any of these)
sections = {site.sections}
languages = {site.languages}  # any of: {all_languages}
since = {site.since}  # how far back the first crawl reaches (YYYY-MM)
# say who you are: a page or address where the site's operators can reach you
user_agent = {site.user_agent}
download_delay = {site.download_delay}  # seconds between requests to the host
timeout_seconds = {site.timeout_seconds}
retry_times = {site.retry_times}
# through an HTTP proxy (default: https_proxy / http_proxy from the environment);
# a proxy that needs a password: the whole URL in MOFAWATCH_PROXY_URL instead
# proxy = "http://proxy.example.org:3128"

[site.revisit]  # how often known pages are fetched again, by age
every_cycle_days = {site.revisit.every_cycle_days}  # every cycle while younger
daily_until_days = {site.revisit.daily_until_days}  # then daily, then weekly until
weekly_until_days = {site.revisit.weekly_until_days}
monthly_after = {site.revisit.monthly_after}  # false: never again after that
# revisits per cycle, most overdue first: what fits in this share of the interval
# (or of crawl_timeout_seconds, when shorter) at download_delay
budget_share = {site.revisit.budget_share}
# max_per_cycle = 200  # or this number of revisits per cycle instead

[crawl]
# a page larger than this (bytes, as sent or once inflated) is not stored: the fetch
# fails as too_large and the cycle exits 1
max_response_bytes = {crawl.max_response_bytes}

[database]
# SQLite file in the folder mofawatch runs from; for PostgreSQL:
# url = "postgresql+psycopg://mofawatch@db.example.org/mofawatch"
# (put a password in MOFAWATCH_DATABASE_URL rather than here)
url = {database.url}

[schedule]  # used by `mofawatch daemon`
interval = {interval}  # or a crontab line instead (not both):
# cron = "*/30 * * * *"  # crontab meaning: 0 and 7 = Sunday, mon-fri, */15
jitter_seconds = {schedule.jitter_seconds}  # random delay: not on the dot
timezone = {schedule.timezone}  # time zone of the cron line
crawl_timeout_seconds = {schedule.crawl_timeout_seconds}

# Where alerts go. The console channel prints them; uncomment the others to use them.
[[channels]]
name = {channel}
type = {channel}  # email | slack | webhook | console | apprise

# [[channels]]
# name = "desk"
# type = "email"
# to = ["desk@example.org"]
# from = {email.sender}
# smtp_host = "smtp.example.org"
# smtp_port = 587  # default: 25, 587 or 465 by security
# security = {email.security}  # none | starttls | ssl
# username = "mofawatch"  # password: MOFAWATCH_SMTP_PASSWORD

# [[channels]]
# name = "team"
# type = "slack"  # webhook URL (https) in MOFAWATCH_SLACK_WEBHOOK_URL, or:
# webhook_url_env = "NAME"  # the variable that holds it

# [[channels]]
# name = "phones"
# type = "apprise"  # Teams, Telegram, Discord, ntfy, Matrix...: one Apprise URL
# url_env = "MOFAWATCH_APPRISE_URL"  # the variable that holds it (a secret)

# Which changes go to which channels (add "desk", "team" once they are set up).
[[rules]]
channels = [{channel}]
events = {rule.events}  # also: restored
meetings_only = {rule.meetings_only}  # true: only meeting readouts
keywords = {rule.keywords}  # any of these words in title or body; [] = all
mode = {rule.mode}  # or "digest" with digest_at = "08:00"

# Operational alerts: blocked by the site, repeated failures, layout drift, silence.
[ops]
channels = [{channel}]
silence_days = {ops.silence_days}  # alert when no new document for this many days
failing_cycles = {ops.failing_cycles}
# layout drift: more than this share of a cycle's pages unreadable or read by the
# structural fallback instead of the site's landmarks
drift_share = {ops.drift_share}

[alerts]
max_attempts = {alerts.max_attempts}  # tries per alert before it is dead
# first retry delay in seconds, doubled each time (at least {min_backoff})
backoff_seconds = {alerts.backoff_seconds}

# [retention]
# keep_snapshots = 5  # `mofawatch prune` keeps this many raw pages per URL

# The read-only web view: `mofawatch serve`, or inside the daemon when enabled.
# Bound to any address but loopback it needs MOFAWATCH_WEB_TOKEN (bearer token) or
# MOFAWATCH_WEB_USER and MOFAWATCH_WEB_PASSWORD (basic auth).
[web]
enabled = {web.enabled}  # true: `mofawatch daemon` serves it too
host = {web.host}
port = {web.port}
page_size = {web.page_size}  # changes per page
"""


def default_config_text() -> str:
    """The file `mofawatch init` writes."""
    schedule = ScheduleSettings()
    return _TEMPLATE.format(
        site=_TomlView(SiteSettings()),
        crawl=_TomlView(CrawlSettings()),
        database=_TomlView(DatabaseTable()),
        schedule=_TomlView(schedule),
        interval=_toml(_interval_text(schedule.interval_seconds)),
        email=_TomlView(ChannelSettings(name=EXAMPLE_CHANNEL, type="email")),
        rule=_TomlView(RuleSettings(channels=(EXAMPLE_CHANNEL,))),
        ops=_TomlView(OpsSettings()),
        alerts=_TomlView(AlertSettings()),
        web=_TomlView(WebTable()),
        channel=_toml(EXAMPLE_CHANNEL),
        overrides=", ".join(ENV_OVERRIDES.values()),
        all_languages=", ".join(Language),
        min_backoff=MIN_BACKOFF_SECONDS,
    )


class _TomlView:
    """`{site.since}` in the template: the default's value as TOML writes it."""

    def __init__(self, value: object) -> None:
        self._value = value

    def __getattr__(self, name: str) -> object:
        value = getattr(self._value, name)
        if isinstance(value, bool | int | float | str | tuple):
            return _toml(value)
        return _TomlView(value)


def _interval_text(seconds: int | None) -> str:
    if seconds is None:
        raise ValueError("the default schedule is an interval")
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _toml(value: Any) -> str:
    """A default as TOML writes it (strings, numbers, booleans and lists of strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")
