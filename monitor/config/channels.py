"""[[channels]]: the table each channel type takes in the file, and the ChannelSettings
the notifiers get once its secrets are read from the environment.

Secrets (SMTP password, Slack, webhook and Apprise URLs) are SecretStr: repr, str and
errors show asterisks; only a notifier calls get_secret_value().
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator

from monitor.config.apprise_url import apprise_service
from monitor.config.base import EnvName, Integer, Number, Table, Text, Texts
from monitor.config.errors import ConfigError
from monitor.config.vocabulary import ChannelType, Security

Port = Annotated[Integer, Field(ge=1, le=65535)]
Timeout = Annotated[Number, Field(ge=0.1)]


class ChannelSettings(Table):
    """One channel as the notifiers use it."""

    name: Text
    type: ChannelType
    to: Texts = ()
    sender: Text = "mofawatch@localhost"
    smtp_host: Text = "localhost"
    smtp_port: Port | None = None
    security: Security = Security.STARTTLS
    username: Text | None = None
    password: SecretStr | None = None
    webhook_url: SecretStr | None = None
    apprise_url: SecretStr | None = None
    timeout_seconds: Timeout = 20.0

    @model_validator(mode="before")
    @classmethod
    def _port_from_security(cls, data: Any) -> Any:
        # An email channel without a port uses the usual one for its kind of connection.
        if not isinstance(data, dict) or data.get("type") != ChannelType.EMAIL:
            return data
        if data.get("smtp_port") is not None:
            return data
        security = data.get("security", cls.model_fields["security"].default)
        if security not in set(Security):
            return data  # the field's own validation names the bad value
        return {**data, "smtp_port": Security(security).default_port}


class _ChannelTable(Table):
    name: Text
    timeout_seconds: Timeout | None = None

    def _settings(self, **values: Any) -> ChannelSettings:
        given = self.model_dump(exclude_none=True, exclude=_FILE_ONLY)
        return ChannelSettings(**given, **values)

    @property
    def where(self) -> str:
        return f"[channels.{self.name}]"


class EmailChannel(_ChannelTable):
    type: Literal["email"]
    to: Annotated[Texts, Field(min_length=1)]
    sender: Text | None = Field(None, alias="from")
    smtp_host: Text | None = None
    smtp_port: Port | None = None
    security: Security | None = None
    username: Text | None = None
    password_env: EnvName = "MOFAWATCH_SMTP_PASSWORD"

    def resolve(self, environ: Mapping[str, str]) -> ChannelSettings:
        password = environ.get(self.password_env) or None
        if self.username and not password:
            raise ConfigError(
                f"{self.where} username is set: "
                f"put the password in the variable {self.password_env}"
            )
        return self._settings(password=password)


class SlackChannel(_ChannelTable):
    type: Literal["slack"]
    webhook_url_env: EnvName = "MOFAWATCH_SLACK_WEBHOOK_URL"

    def resolve(self, environ: Mapping[str, str]) -> ChannelSettings:
        var = self.webhook_url_env
        url = environ.get(var)
        if not url:
            raise ConfigError(f"{self.where} Slack webhook URL: set the variable {var}")
        _check_url(url, f"{self.where} the Slack webhook URL in {var}", slack=True)
        return self._settings(webhook_url=url)


class WebhookChannel(_ChannelTable):
    type: Literal["webhook"]
    url: SecretStr | None = None
    url_env: EnvName | None = None

    def resolve(self, environ: Mapping[str, str]) -> ChannelSettings:
        if (self.url is None) == (self.url_env is None):
            raise ConfigError(f"{self.where} url: set either url or url_env (one)")
        if self.url_env is not None:
            url = environ.get(self.url_env)
            if not url:
                raise ConfigError(
                    f"{self.where} url_env: set the variable {self.url_env}"
                )
            _check_url(url, f"{self.where} the URL in {self.url_env}", slack=False)
        else:
            assert self.url is not None
            url = self.url.get_secret_value()
            _check_url(url, f"{self.where} url", slack=False)
        return self._settings(webhook_url=url)


class ConsoleChannel(_ChannelTable):
    type: Literal["console"]

    def resolve(self, environ: Mapping[str, str]) -> ChannelSettings:
        return self._settings()


class AppriseChannel(_ChannelTable):
    """One Apprise URL (Teams, Telegram, Discord, ntfy, Matrix, ...), read from the
    environment: such URLs hold tokens."""

    type: Literal["apprise"]
    url_env: EnvName = "MOFAWATCH_APPRISE_URL"

    def resolve(self, environ: Mapping[str, str]) -> ChannelSettings:
        url = (environ.get(self.url_env) or "").strip()
        if not url:
            raise ConfigError(
                f"{self.where} Apprise URL: set the variable {self.url_env}"
            )
        if apprise_service(url) is None:
            raise ConfigError(
                f"{self.where} the Apprise URL in {self.url_env} is not one Apprise "
                "can use (the URL is not shown: it is a secret)"
            )
        return self._settings(apprise_url=url)


ChannelTable = Annotated[
    EmailChannel | SlackChannel | WebhookChannel | ConsoleChannel | AppriseChannel,
    Field(discriminator="type"),
]
# Keys of the file that ChannelSettings holds otherwise (a secret, or none at all).
_FILE_ONLY = {"password_env", "webhook_url_env", "url", "url_env"}


def _check_url(url: str, what: str, *, slack: bool) -> None:
    """ConfigError naming `what` unless url is a usable http(s) URL; never shows it."""
    problem = _url_problem(url, slack=slack)
    if problem:
        raise ConfigError(f"{what}: {problem} (the URL is not shown: it is a secret)")


def _url_problem(url: str, *, slack: bool) -> str | None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "must start with https://" if slack else "must be an http(s) URL"
    if not host or any(c.isspace() for c in url):
        return "has no valid host"
    if slack and parts.scheme != "https" and not _is_loopback(host):
        return "must use https (http only to this machine)"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
