"""[web]: the read-only web view (`mofawatch serve`, or inside the daemon), and the
credentials it asks for, read from the environment only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field, SecretStr

from monitor.config.base import Flag, Integer, Table, Text
from monitor.config.errors import ConfigError

TOKEN_ENV = "MOFAWATCH_WEB_TOKEN"
USER_ENV = "MOFAWATCH_WEB_USER"
PASSWORD_ENV = "MOFAWATCH_WEB_PASSWORD"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080

Port = Annotated[Integer, Field(ge=0, le=65535)]  # 0: any free port


class WebTable(Table):
    """[web] as written in mofawatch.toml."""

    enabled: Flag = False  # also serve the web view inside `mofawatch daemon`
    host: Text = DEFAULT_HOST
    port: Port = DEFAULT_PORT
    page_size: Annotated[Integer, Field(ge=1, le=500)] = 50

    def resolve(self, environ: Mapping[str, str]) -> WebSettings:
        """These settings with the credentials of the environment (if any)."""
        user = environ.get(USER_ENV) or None
        password = environ.get(PASSWORD_ENV) or None
        if (user is None) != (password is None):
            have, missing = (
                (USER_ENV, PASSWORD_ENV) if user else (PASSWORD_ENV, USER_ENV)
            )
            raise ConfigError(f"{have} is set: set {missing} too (basic auth)")
        return WebSettings(
            **self.model_dump(),
            token=environ.get(TOKEN_ENV) or None,
            user=user,
            password=password,
        )


class WebSettings(WebTable):
    """[web] with its secrets: a bearer token and/or a basic-auth user and password."""

    token: SecretStr | None = None
    user: str | None = None
    password: SecretStr | None = None

    @property
    def has_credentials(self) -> bool:
        return self.token is not None or self.password is not None
