"""Settings, what every command runs with; ConfigFile, the shape of mofawatch.toml."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from monitor.config.base import Positive, Table, Text
from monitor.config.channels import ChannelSettings, ChannelTable
from monitor.config.errors import ConfigError
from monitor.config.schema import (
    DEFAULT_DATABASE_URL,
    AlertSettings,
    CrawlSettings,
    DatabaseTable,
    OpsSettings,
    RetentionTable,
    RuleSettings,
    ScheduleSettings,
    SiteSettings,
)


class Settings(Table):
    """The whole configuration, secrets resolved (and hidden from repr)."""

    site: SiteSettings = SiteSettings()
    crawl: CrawlSettings = CrawlSettings()
    # Not in repr: a PostgreSQL URL may carry its password.
    database_url: Text = Field(DEFAULT_DATABASE_URL, repr=False)
    # Resolved from MOFAWATCH_PROXY_URL, [site] proxy or https_proxy/http_proxy;
    # not in repr: it may carry a password.
    proxy_url: Text | None = Field(None, repr=False)
    schedule: ScheduleSettings = ScheduleSettings()
    channels: tuple[ChannelSettings, ...] = ()
    rules: tuple[RuleSettings, ...] = ()
    ops: OpsSettings = OpsSettings()
    alerts: AlertSettings = AlertSettings()
    keep_snapshots: Positive | None = None
    config_path: Path | None = None

    def channel(self, name: str) -> ChannelSettings:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise ConfigError(f"no channel named {name!r} in [[channels]]")


class ConfigFile(Table):
    """mofawatch.toml as written: every table optional, every key known."""

    site: SiteSettings = SiteSettings()
    crawl: CrawlSettings = CrawlSettings()
    database: DatabaseTable = DatabaseTable()
    schedule: ScheduleSettings = ScheduleSettings()
    channels: tuple[ChannelTable, ...] = ()
    rules: tuple[RuleSettings, ...] = ()
    ops: OpsSettings = OpsSettings()
    alerts: AlertSettings = AlertSettings()
    retention: RetentionTable = RetentionTable()
