"""Settings from mofawatch.toml and the environment; the only reader of os.environ."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PREFIX = "MOFAWATCH_"
DEFAULT_DATABASE_URL = "sqlite:///mofawatch.db"
DEFAULT_BASE_URL = "https://www.mofa.go.jp"
DEFAULT_USER_AGENT = "mofawatch/0.1 (+https://github.com/mofawatch/mofawatch)"
KNOWN_SECTIONS = ("press_releases", "press_conferences", "statements", "japan_us")
CHANNEL_TYPES = ("email", "slack", "webhook", "console")
EVENT_KINDS = ("new", "updated", "removed", "restored")
DOCUMENT_KINDS = ("press_release", "press_conference", "statement", "page")


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the key or variable."""


@dataclass(frozen=True, slots=True)
class RevisitPolicy:
    """How often known documents are fetched again, by age since first seen."""

    every_cycle_days: float = 3
    daily_until_days: float = 30
    weekly_until_days: float = 365
    monthly_after: bool = True


@dataclass(frozen=True, slots=True)
class SiteSettings:
    base_url: str = DEFAULT_BASE_URL
    sections: tuple[str, ...] = KNOWN_SECTIONS
    languages: tuple[str, ...] = ("en",)
    since: str = "2022-01"
    user_agent: str = DEFAULT_USER_AGENT
    download_delay: float = 2.0
    timeout_seconds: float = 30.0
    retry_times: int = 2
    revisit: RevisitPolicy = field(default_factory=RevisitPolicy)


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    cron: str | None = None
    interval_seconds: int | None = 1800
    jitter_seconds: int = 60
    timezone: str = "Asia/Tokyo"
    misfire_grace_seconds: int = 300
    crawl_timeout_seconds: int = 1200


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    name: str
    type: str
    to: tuple[str, ...] = ()
    sender: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    webhook_url: str | None = field(default=None, repr=False)
    timeout_seconds: float = 20.0


@dataclass(frozen=True, slots=True)
class RuleSettings:
    channels: tuple[str, ...]
    events: tuple[str, ...] = ("new", "updated", "removed")
    kinds: tuple[str, ...] = ()
    meetings_only: bool = False
    keywords: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    mode: str = "immediate"
    digest_at: str | None = None


@dataclass(frozen=True, slots=True)
class OpsSettings:
    channels: tuple[str, ...] = ()
    silence_days: int = 14
    failing_cycles: int = 3
    drift_share: float = 0.5


@dataclass(frozen=True, slots=True)
class AlertSettings:
    compared_versions: int = 3
    max_attempts: int = 8
    backoff_seconds: int = 60
    max_backoff_seconds: int = 6 * 3600


@dataclass(frozen=True, slots=True)
class Settings:
    site: SiteSettings = field(default_factory=SiteSettings)
    database_url: str = DEFAULT_DATABASE_URL
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    channels: tuple[ChannelSettings, ...] = ()
    rules: tuple[RuleSettings, ...] = ()
    ops: OpsSettings = field(default_factory=OpsSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    keep_snapshots: int | None = None
    config_path: Path | None = None

    def channel(self, name: str) -> ChannelSettings:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise ConfigError(f"no channel named {name!r} in [[channels]]")


def load_settings(
    environ: Mapping[str, str], path: str | Path | None = None
) -> Settings:
    """Read the TOML file (if any) and apply environment overrides."""
    config_path = _config_path(environ, path)
    raw = _read_toml(config_path) if config_path else {}
    _reject_unknown(
        raw,
        {
            "site",
            "database",
            "schedule",
            "channels",
            "rules",
            "ops",
            "alerts",
            "retention",
        },
        "",
    )
    site = _site(raw.get("site", {}), environ)
    database_url = environ.get(f"{ENV_PREFIX}DATABASE_URL") or _str(
        raw.get("database", {}), "url", "database", DEFAULT_DATABASE_URL
    )
    channels = tuple(
        _channel(c, i, environ) for i, c in enumerate(_list(raw, "channels"))
    )
    names = [c.name for c in channels]
    if len(set(names)) != len(names):
        raise ConfigError("[[channels]] name: channel names must be unique")
    rules = tuple(_rule(r, i, set(names)) for i, r in enumerate(_list(raw, "rules")))
    ops = _ops(raw.get("ops", {}), set(names))
    retention = raw.get("retention", {})
    _reject_unknown(retention, {"keep_snapshots"}, "retention")
    keep = retention.get("keep_snapshots")
    if keep is not None and (not isinstance(keep, int) or keep < 1):
        raise ConfigError("[retention] keep_snapshots: must be a positive integer")
    return Settings(
        site=site,
        database_url=database_url,
        schedule=_schedule(raw.get("schedule", {})),
        channels=channels,
        rules=rules,
        ops=ops,
        alerts=_alerts(raw.get("alerts", {})),
        keep_snapshots=keep,
        config_path=config_path,
    )


def _config_path(environ: Mapping[str, str], path: str | Path | None) -> Path | None:
    explicit = path or environ.get(f"{ENV_PREFIX}CONFIG")
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            source = "--config" if path else f"{ENV_PREFIX}CONFIG"
            raise ConfigError(f"{source}: no such file: {p}")
        return p
    default = Path("mofawatch.toml")
    return default if default.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from exc


def _reject_unknown(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    if not isinstance(table, Mapping):
        raise ConfigError(f"[{where}]: must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        prefix = f"[{where}] " if where else ""
        raise ConfigError(f"{prefix}{unknown[0]}: unknown key")


def _str(table: Mapping[str, Any], key: str, where: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"[{where}] {key}: must be a non-empty string")
    return value


def _strings(
    table: Mapping[str, Any], key: str, where: str, default: tuple[str, ...] = ()
) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[{where}] {key}: must be a list of strings")
    return tuple(value)


def _number(
    table: Mapping[str, Any], key: str, where: str, default: float, minimum: float = 0
) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(f"[{where}] {key}: must be a number >= {minimum}")
    return float(value)


def _int(
    table: Mapping[str, Any], key: str, where: str, default: int, minimum: int = 0
) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"[{where}] {key}: must be an integer >= {minimum}")
    return value


def _list(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ConfigError(f"[[{key}]]: must be an array of tables")
    return value


_SINCE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _site(table: Mapping[str, Any], environ: Mapping[str, str]) -> SiteSettings:
    _reject_unknown(
        table,
        {
            "base_url",
            "sections",
            "languages",
            "since",
            "user_agent",
            "download_delay",
            "timeout_seconds",
            "retry_times",
            "revisit",
        },
        "site",
    )
    base_url = environ.get(f"{ENV_PREFIX}BASE_URL") or _str(
        table, "base_url", "site", DEFAULT_BASE_URL
    )
    if not re.match(r"^https?://[^/\s]+", base_url):
        source = (
            f"{ENV_PREFIX}BASE_URL"
            if environ.get(f"{ENV_PREFIX}BASE_URL")
            else "[site] base_url"
        )
        raise ConfigError(f"{source}: must be an http(s) URL, got {base_url!r}")
    sections = _strings(table, "sections", "site", KNOWN_SECTIONS)
    for name in sections:
        if name not in KNOWN_SECTIONS:
            raise ConfigError(
                f"[site] sections: unknown section {name!r} "
                f"(known: {', '.join(KNOWN_SECTIONS)})"
            )
    languages = _strings(table, "languages", "site", ("en",))
    for lang in languages:
        if lang not in ("en", "ja"):
            raise ConfigError(f"[site] languages: unknown language {lang!r}")
    since = str(table.get("since", "2022-01"))
    if not _SINCE.match(since):
        raise ConfigError(f"[site] since: must be YYYY-MM, got {since!r}")
    revisit = table.get("revisit", {})
    _reject_unknown(
        revisit,
        {"every_cycle_days", "daily_until_days", "weekly_until_days", "monthly_after"},
        "site.revisit",
    )
    defaults = RevisitPolicy()
    return SiteSettings(
        base_url=base_url.rstrip("/"),
        sections=sections,
        languages=languages,
        since=since,
        user_agent=_str(table, "user_agent", "site", DEFAULT_USER_AGENT),
        download_delay=_number(table, "download_delay", "site", 2.0),
        timeout_seconds=_number(table, "timeout_seconds", "site", 30.0, minimum=0.1),
        retry_times=_int(table, "retry_times", "site", 2),
        revisit=RevisitPolicy(
            every_cycle_days=_number(
                revisit, "every_cycle_days", "site.revisit", defaults.every_cycle_days
            ),
            daily_until_days=_number(
                revisit, "daily_until_days", "site.revisit", defaults.daily_until_days
            ),
            weekly_until_days=_number(
                revisit, "weekly_until_days", "site.revisit", defaults.weekly_until_days
            ),
            monthly_after=bool(revisit.get("monthly_after", True)),
        ),
    )


_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> int:
    """'30m' -> 1800. Raises ConfigError on anything else."""
    match = _INTERVAL.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ConfigError(
            f"[schedule] interval: must look like '30m', '2h' or '45s', got {text!r}"
        )
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _schedule(table: Mapping[str, Any]) -> ScheduleSettings:
    _reject_unknown(
        table,
        {
            "cron",
            "interval",
            "jitter_seconds",
            "timezone",
            "misfire_grace_seconds",
            "crawl_timeout_seconds",
        },
        "schedule",
    )
    cron = table.get("cron")
    interval = table.get("interval")
    if cron is not None and interval is not None:
        raise ConfigError("[schedule]: set either cron or interval, not both")
    if cron is not None and (not isinstance(cron, str) or len(cron.split()) != 5):
        raise ConfigError(
            f"[schedule] cron: must have five fields like '*/30 * * * *', got {cron!r}"
        )
    tz = _str(table, "timezone", "schedule", "Asia/Tokyo")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"[schedule] timezone: unknown time zone {tz!r}") from exc
    interval_seconds: int | None
    if cron is not None:
        interval_seconds = None
    elif interval is None:
        interval_seconds = 1800
    elif isinstance(interval, int) and not isinstance(interval, bool) and interval > 0:
        interval_seconds = interval
    elif isinstance(interval, str):
        interval_seconds = parse_interval(interval)
    else:
        raise ConfigError("[schedule] interval: must be like '30m' or seconds")
    return ScheduleSettings(
        cron=cron,
        interval_seconds=interval_seconds,
        jitter_seconds=_int(table, "jitter_seconds", "schedule", 60),
        timezone=tz,
        misfire_grace_seconds=_int(table, "misfire_grace_seconds", "schedule", 300),
        crawl_timeout_seconds=_int(
            table, "crawl_timeout_seconds", "schedule", 1200, minimum=1
        ),
    )


_CHANNEL_KEYS = {
    "email": {
        "to",
        "from",
        "smtp_host",
        "smtp_port",
        "security",
        "username",
        "password_env",
        "timeout_seconds",
    },
    "slack": {"webhook_url_env", "timeout_seconds"},
    "webhook": {"url", "url_env", "timeout_seconds"},
    "console": set(),
}


def _channel(
    table: Mapping[str, Any], index: int, environ: Mapping[str, str]
) -> ChannelSettings:
    where = f"channels.{index}"
    name = _str(table, "name", where, "") if "name" in table else ""
    if not name:
        raise ConfigError(f"[[channels]] #{index + 1} name: missing")
    where = f"channels.{name}"
    kind = table.get("type")
    if kind not in CHANNEL_TYPES:
        raise ConfigError(
            f"[{where}] type: must be one of {', '.join(CHANNEL_TYPES)}, got {kind!r}"
        )
    _reject_unknown(table, {"name", "type"} | _CHANNEL_KEYS[kind], where)
    timeout = _number(table, "timeout_seconds", where, 20.0, minimum=0.1)
    if kind == "email":
        return _email_channel(table, name, where, environ, timeout)
    if kind == "slack":
        var = _str(table, "webhook_url_env", where, f"{ENV_PREFIX}SLACK_WEBHOOK_URL")
        url = environ.get(var)
        if not url:
            raise ConfigError(f"[{where}] Slack webhook URL: set the variable {var}")
        return ChannelSettings(
            name=name, type=kind, webhook_url=url, timeout_seconds=timeout
        )
    if kind == "webhook":
        url = table.get("url")
        if "url_env" in table:
            url = environ.get(str(table["url_env"]))
            if not url:
                raise ConfigError(
                    f"[{where}] url_env: set the variable {table['url_env']}"
                )
        if not isinstance(url, str) or not re.match(r"^https?://", url):
            raise ConfigError(f"[{where}] url: must be an http(s) URL")
        return ChannelSettings(
            name=name, type=kind, webhook_url=url, timeout_seconds=timeout
        )
    return ChannelSettings(name=name, type=kind)


def _email_channel(
    table: Mapping[str, Any],
    name: str,
    where: str,
    environ: Mapping[str, str],
    timeout: float,
) -> ChannelSettings:
    to = _strings(table, "to", where)
    if not to:
        raise ConfigError(f"[{where}] to: at least one address is needed")
    security = table.get("security", "starttls")
    if security not in ("none", "starttls", "ssl"):
        raise ConfigError(f"[{where}] security: must be none, starttls or ssl")
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[security]
    password_var = str(table.get("password_env", f"{ENV_PREFIX}SMTP_PASSWORD"))
    username = table.get("username")
    password = environ.get(password_var)
    if username and not password:
        raise ConfigError(
            f"[{where}] username is set: "
            f"put the password in the variable {password_var}"
        )
    return ChannelSettings(
        name=name,
        type="email",
        to=to,
        sender=_str(table, "from", where, "mofawatch@localhost"),
        smtp_host=_str(table, "smtp_host", where, "localhost"),
        smtp_port=_int(table, "smtp_port", where, default_port, minimum=1),
        security=security,
        username=username,
        password=password,
        timeout_seconds=timeout,
    )


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _rule(
    table: Mapping[str, Any], index: int, channel_names: set[str]
) -> RuleSettings:
    where = f"rules.{index + 1}"
    _reject_unknown(
        table,
        {
            "channels",
            "events",
            "kinds",
            "meetings_only",
            "keywords",
            "participants",
            "topics",
            "countries",
            "mode",
            "digest_at",
        },
        where,
    )
    channels = _strings(table, "channels", where)
    if not channels:
        raise ConfigError(f"[{where}] channels: name at least one channel")
    for name in channels:
        if name not in channel_names:
            raise ConfigError(f"[{where}] channels: no channel named {name!r}")
    events = _strings(table, "events", where, ("new", "updated", "removed"))
    for event in events:
        if event not in EVENT_KINDS:
            raise ConfigError(f"[{where}] events: unknown event {event!r}")
    kinds = _strings(table, "kinds", where)
    for kind in kinds:
        if kind not in DOCUMENT_KINDS:
            raise ConfigError(f"[{where}] kinds: unknown document kind {kind!r}")
    mode = table.get("mode", "immediate")
    if mode not in ("immediate", "digest", "hourly", "daily"):
        raise ConfigError(f"[{where}] mode: must be immediate, digest, hourly or daily")
    digest_at = table.get("digest_at")
    if digest_at is not None and (
        not isinstance(digest_at, str) or not _HHMM.match(digest_at)
    ):
        raise ConfigError(f"[{where}] digest_at: must be HH:MM, got {digest_at!r}")
    if mode == "digest" and digest_at is None:
        mode = "hourly"
    elif mode == "digest":
        mode = "daily"
    return RuleSettings(
        channels=channels,
        events=events,
        kinds=kinds,
        meetings_only=bool(table.get("meetings_only", False)),
        keywords=_strings(table, "keywords", where),
        participants=_strings(table, "participants", where),
        topics=_strings(table, "topics", where),
        countries=_strings(table, "countries", where),
        mode=mode,
        digest_at=digest_at,
    )


def _ops(table: Mapping[str, Any], channel_names: set[str]) -> OpsSettings:
    _reject_unknown(
        table, {"channels", "silence_days", "failing_cycles", "drift_share"}, "ops"
    )
    channels = _strings(table, "channels", "ops")
    for name in channels:
        if name not in channel_names:
            raise ConfigError(f"[ops] channels: no channel named {name!r}")
    share = _number(table, "drift_share", "ops", 0.5)
    if share > 1:
        raise ConfigError("[ops] drift_share: must be between 0 and 1")
    return OpsSettings(
        channels=channels,
        silence_days=_int(table, "silence_days", "ops", 14, minimum=1),
        failing_cycles=_int(table, "failing_cycles", "ops", 3, minimum=1),
        drift_share=share,
    )


def _alerts(table: Mapping[str, Any]) -> AlertSettings:
    _reject_unknown(
        table,
        {"compared_versions", "max_attempts", "backoff_seconds", "max_backoff_seconds"},
        "alerts",
    )
    return AlertSettings(
        compared_versions=_int(table, "compared_versions", "alerts", 3, minimum=1),
        max_attempts=_int(table, "max_attempts", "alerts", 8, minimum=1),
        backoff_seconds=_int(table, "backoff_seconds", "alerts", 60),
        max_backoff_seconds=_int(table, "max_backoff_seconds", "alerts", 6 * 3600),
    )
