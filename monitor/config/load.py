"""load_settings: the file (if any), the environment over it, validated; the only reader
of environment variables for settings."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.config.errors import ConfigError, Location, config_error
from monitor.config.proxy import resolve_proxy
from monitor.config.settings import ConfigFile, Settings

ENV_PREFIX = "MOFAWATCH_"
CONFIG_NAME = "mofawatch.toml"
# Values an environment variable replaces, by their place in the file.
ENV_OVERRIDES: dict[tuple[str, str], str] = {
    ("site", "base_url"): f"{ENV_PREFIX}BASE_URL",
    ("database", "url"): f"{ENV_PREFIX}DATABASE_URL",
}


def load_settings(
    environ: Mapping[str, str], path: str | Path | None = None
) -> Settings:
    """Read the TOML file (if any) and apply environment overrides; ConfigError if the
    result cannot be used."""
    config_path = _config_path(environ, path)
    raw = read_toml(config_path) if config_path else {}
    raw, sources = _with_environment(raw, environ)
    try:
        file = ConfigFile.model_validate(raw, by_alias=True, by_name=False)
    except ValidationError as exc:
        raise config_error(exc, raw, sources) from None
    _check_channel_names(file)
    return Settings(
        site=file.site,
        crawl=file.crawl,
        database_url=file.database.url,
        proxy_url=resolve_proxy(environ, file.site.proxy, file.site.base_url),
        schedule=file.schedule,
        channels=tuple(c.resolve(environ) for c in file.channels),
        rules=file.rules,
        ops=file.ops,
        alerts=file.alerts,
        keep_snapshots=file.retention.keep_snapshots,
        config_path=config_path,
    )


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables; ConfigError if it cannot be read, is not UTF-8 or not TOML."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")  # TOML is UTF-8; tolerate an editor's BOM
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {data[exc.start]:#04x} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _config_path(environ: Mapping[str, str], path: str | Path | None) -> Path | None:
    explicit = path or environ.get(f"{ENV_PREFIX}CONFIG")
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            source = "--config" if path else f"{ENV_PREFIX}CONFIG"
            raise ConfigError(f"{source}: no such file: {p}")
        return p
    default = Path(CONFIG_NAME)
    return default if default.is_file() else None


def _with_environment(
    raw: dict[str, Any], environ: Mapping[str, str]
) -> tuple[dict[str, Any], dict[Location, str]]:
    """raw with the set variables of ENV_OVERRIDES in place, and where each went."""
    sources: dict[Location, str] = {}
    for (table, key), variable in ENV_OVERRIDES.items():
        value = environ.get(variable)
        section = raw.get(table, {})
        if value and isinstance(section, dict):  # a table that is not one: say so
            raw = {**raw, table: {**section, key: value}}
            sources[(table, key)] = variable
    return raw, sources


def _check_channel_names(file: ConfigFile) -> None:
    names = [c.name for c in file.channels]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(
            f"[[channels]] name: channel names must be unique ({twice[0]!r} twice)"
        )
    for index, rule in enumerate(file.rules):
        _check_known(rule.channels, names, f"[rules.{index + 1}] channels")
    _check_known(file.ops.channels, names, "[ops] channels")


def _check_known(wanted: tuple[str, ...], names: list[str], where: str) -> None:
    for name in wanted:
        if name not in names:
            raise ConfigError(f"{where}: no channel named {name!r}")
