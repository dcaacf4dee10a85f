"""The tables of mofawatch.toml other than [[channels]]: each key, its type, its limits
and its default (the one place a default is written).
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, ValidationInfo, field_validator
from pydantic import model_validator as model_check

from crawler.contract import DEFAULT_MAX_RESPONSE_BYTES, RevisitPolicy
from monitor.config.base import (
    Count,
    Flag,
    Integer,
    Number,
    Positive,
    Seconds,
    Table,
    Text,
    Texts,
    UniqueChoices,
)
from monitor.config.cron import check_crontab
from monitor.config.proxy import check_proxy_address
from monitor.config.vocabulary import (
    AlertMode,
    DocumentKind,
    EventKind,
    Language,
    Section,
)

DEFAULT_DATABASE_URL = "sqlite:///mofawatch.db"
DEFAULT_BASE_URL = "https://www.mofa.go.jp"
DEFAULT_USER_AGENT = "mofawatch/0.1 (+https://github.com/mofawatch/mofawatch)"
# Below this, the retries of one short outage would use up max_attempts within a minute
# or two (the delay doubles from here: 10 s gives 8 attempts about 21 minutes).
MIN_BACKOFF_SECONDS = 10

_SINCE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise ValueError(f"must be an http(s) URL, got {url!r}")
    return url.rstrip("/")


def _pattern(regex: re.Pattern[str], shape: str) -> AfterValidator:
    def check(value: str) -> str:
        if not regex.match(value):
            raise ValueError(f"must be {shape}, got {value!r}")
        return value

    return AfterValidator(check)


def parse_interval(text: str) -> int:
    """'30m' -> 1800; ValueError for anything but a positive number and s, m, h or d."""
    match = _INTERVAL.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"must look like '30m', '2h' or '45s', got {text!r}")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


class SiteSettings(Table):
    """[site]: what is crawled, and how politely."""

    base_url: Annotated[Text, AfterValidator(_http_url)] = DEFAULT_BASE_URL
    sections: UniqueChoices[Section] = tuple(Section)
    languages: UniqueChoices[Language] = (Language.EN,)
    since: Annotated[Text, _pattern(_SINCE, "YYYY-MM")] = "2022-01"
    user_agent: Text = DEFAULT_USER_AGENT
    download_delay: Seconds = 2.0
    timeout_seconds: Annotated[Number, Field(ge=0.1)] = 30.0
    retry_times: Count = 2
    revisit: RevisitPolicy = RevisitPolicy()
    # An HTTP proxy for the crawl and `check`; its password only in MOFAWATCH_PROXY_URL.
    proxy: Annotated[Text, AfterValidator(check_proxy_address)] | None = None


class CrawlSettings(Table):
    """[crawl]: limits on what one fetch may bring in."""

    # A larger body (as sent or once inflated) is not read on: the fetch fails as
    # too_large. At least 1 KiB, so a typo cannot refuse every page.
    max_response_bytes: Annotated[Integer, Field(ge=1024)] = DEFAULT_MAX_RESPONSE_BYTES


class ScheduleSettings(Table):
    """[schedule]: when `mofawatch daemon` runs a cycle: a crontab line or interval."""

    cron: Text | None = None
    interval_seconds: Positive | None = Field(1800, validation_alias="interval")
    jitter_seconds: Count = 60
    timezone: Text = "Asia/Tokyo"
    misfire_grace_seconds: Positive = 300
    crawl_timeout_seconds: Positive = 1200

    @model_check(mode="before")
    @classmethod
    def _cron_or_interval(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("cron") is None:
            return data
        interval = data.get("interval", data.get("interval_seconds"))
        if interval is not None:
            raise ValueError("set either cron or interval, not both")
        return {k: v for k, v in data.items() if k != "interval_seconds"} | {
            "interval": None
        }

    @model_check(mode="after")
    def _one_of_them(self) -> ScheduleSettings:
        if self.cron is None and self.interval_seconds is None:
            raise ValueError("set cron or interval")
        return self

    @field_validator("cron")
    @classmethod
    def _crontab(cls, value: str | None) -> str | None:
        return None if value is None else check_crontab(value)

    @field_validator("interval_seconds", mode="before")
    @classmethod
    def _interval(cls, value: Any) -> Any:
        return parse_interval(value) if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class RuleSettings(Table):
    """[[rules]]: which changes go to which channels, at once or as a digest."""

    channels: Annotated[Texts, Field(min_length=1)]
    events: tuple[EventKind, ...] = (
        EventKind.NEW,
        EventKind.UPDATED,
        EventKind.REMOVED,
    )
    kinds: tuple[DocumentKind, ...] = ()
    meetings_only: Flag = False
    keywords: Texts = ()
    participants: Texts = ()
    topics: Texts = ()
    countries: Texts = ()
    # Before mode: "digest" is read with digest_at (daily at that time, else hourly).
    digest_at: Annotated[Text, _pattern(_HHMM, "HH:MM")] | None = None
    mode: AlertMode = AlertMode.IMMEDIATE

    @field_validator("mode", mode="before")
    @classmethod
    def _digest(cls, value: Any, info: ValidationInfo) -> Any:
        if value == "digest":
            daily = info.data.get("digest_at") is not None
            return AlertMode.DAILY if daily else AlertMode.HOURLY
        if isinstance(value, str) and value not in set(AlertMode):
            raise ValueError(
                f"must be immediate, digest, hourly or daily, got {value!r}"
            )
        return value


class OpsSettings(Table):
    """[ops]: where operational alerts go, and when a condition is raised."""

    channels: Texts = ()
    silence_days: Positive = 14
    failing_cycles: Positive = 3
    drift_share: Annotated[Number, Field(ge=0, le=1)] = 0.5


class AlertSettings(Table):
    """[alerts]: what an update alert compares; how failed deliveries are retried."""

    compared_versions: Positive = 3
    max_attempts: Positive = 8
    backoff_seconds: Annotated[int, Field(ge=MIN_BACKOFF_SECONDS)] = 60
    max_backoff_seconds: Positive = 6 * 3600

    @model_check(mode="after")
    def _ceiling_above_floor(self) -> AlertSettings:
        if self.max_backoff_seconds < self.backoff_seconds:
            raise ValueError(
                f"max_backoff_seconds ({self.max_backoff_seconds}) is below "
                f"backoff_seconds ({self.backoff_seconds})"
            )
        return self


class DatabaseTable(Table):
    """[database]."""

    url: Text = DEFAULT_DATABASE_URL


class RetentionTable(Table):
    """[retention]: how many raw pages `mofawatch prune` keeps per URL (None: all)."""

    keep_snapshots: Positive | None = None
