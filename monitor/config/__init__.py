"""Settings from mofawatch.toml and the environment: a strict pydantic schema (schema,
channels, settings), its loader (load) and its one-line errors (errors)."""

from __future__ import annotations

from crawler.contract import RevisitPolicy
from monitor.config.channels import ChannelSettings
from monitor.config.errors import ConfigError
from monitor.config.load import CONFIG_NAME, ENV_PREFIX, load_settings
from monitor.config.schema import (
    DEFAULT_BASE_URL,
    DEFAULT_DATABASE_URL,
    DEFAULT_USER_AGENT,
    AlertSettings,
    CrawlSettings,
    OpsSettings,
    RuleSettings,
    ScheduleSettings,
    SiteSettings,
    parse_interval,
)
from monitor.config.settings import Settings
from monitor.config.vocabulary import (
    AlertMode,
    ChannelType,
    DocumentKind,
    EventKind,
    Language,
    Section,
    Security,
)

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_BASE_URL",
    "DEFAULT_DATABASE_URL",
    "DEFAULT_USER_AGENT",
    "ENV_PREFIX",
    "AlertMode",
    "AlertSettings",
    "ChannelSettings",
    "ChannelType",
    "ConfigError",
    "CrawlSettings",
    "DocumentKind",
    "EventKind",
    "Language",
    "OpsSettings",
    "RevisitPolicy",
    "RuleSettings",
    "ScheduleSettings",
    "Section",
    "Security",
    "Settings",
    "SiteSettings",
    "load_settings",
    "parse_interval",
]
