"""Alert channels: one notifier per configured [[channels]] entry."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TextIO

from monitor.alerts.notifiers.apprise_notifier import AppriseNotifier
from monitor.alerts.notifiers.base import Notifier, NotifyError
from monitor.alerts.notifiers.console import ConsoleNotifier
from monitor.alerts.notifiers.email import EmailNotifier
from monitor.alerts.notifiers.slack import SlackNotifier
from monitor.alerts.notifiers.webhook import WebhookNotifier
from monitor.config import ConfigError

if TYPE_CHECKING:
    from monitor.config import ChannelSettings, Settings

__all__ = [
    "AppriseNotifier",
    "ConsoleNotifier",
    "EmailNotifier",
    "Notifier",
    "NotifyError",
    "SlackNotifier",
    "WebhookNotifier",
    "build_notifier",
    "build_notifiers",
]

logger = logging.getLogger(__name__)


def build_notifiers(
    settings: Settings, *, stream: TextIO | None = None
) -> dict[str, Notifier]:
    """Notifiers keyed by channel name; with no channel configured, the console."""
    if not settings.channels:
        return {"console": ConsoleNotifier("console", stream=stream)}
    return {c.name: build_notifier(c, stream=stream) for c in settings.channels}


def build_notifier(
    channel: ChannelSettings, *, stream: TextIO | None = None
) -> Notifier:
    """The notifier of one channel."""
    if channel.type == "email":
        return EmailNotifier(channel)
    if channel.type in ("slack", "webhook"):
        if not channel.webhook_url:
            raise ConfigError(
                f"channel {channel.name}: no {channel.type} URL configured"
            )
        url = channel.webhook_url.get_secret_value()
        if channel.type == "slack":
            return SlackNotifier(channel.name, url, timeout=channel.timeout_seconds)
        return WebhookNotifier(channel.name, url, timeout=channel.timeout_seconds)
    if channel.type == "console":
        return ConsoleNotifier(channel.name, stream=stream)
    if channel.type == "apprise":
        if not channel.apprise_url:
            raise ConfigError(f"channel {channel.name}: no Apprise URL configured")
        return AppriseNotifier(
            channel.name,
            channel.apprise_url.get_secret_value(),
            timeout=channel.timeout_seconds,
        )
    raise ConfigError(f"channel {channel.name}: unknown type {channel.type!r}")
