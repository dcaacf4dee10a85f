"""ConfigError, and pydantic's validation errors said in one line that names the key.

`[site] download_delay: expected a number, got "fast"`: the table as the file writes it
(`[channels.desk]`, `[rules.2]`, `[[channels]] #3` for a channel without a name), the
key, and what was wrong. Values of secret keys are never repeated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

Location = tuple[str | int, ...]

_SECRET_KEYS = frozenset({"url", "password", "webhook_url"})
_CHANNEL_TAGS = frozenset({"email", "slack", "webhook", "console"})
_EXPECTED = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "a table",
    "dataclass_type": "a table",
    "dict_type": "a table",
}
_LIMITS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the key or variable."""


def config_error(
    exc: ValidationError,
    raw: Mapping[str, Any],
    sources: Mapping[Location, str] | None = None,
) -> ConfigError:
    """The first of pydantic's errors as one line; `sources` renames locations whose
    value came from an environment variable."""
    errors = _without_echoes(exc.errors(include_url=False))
    text = _describe(errors[0], raw, sources or {})
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more)"
    return ConfigError(text)


def _without_echoes(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop "too short after validation": it only repeats that an item was refused."""

    def echoes(error: ErrorDetails) -> bool:
        loc = tuple(error["loc"])
        inside = [e for e in errors if tuple(e["loc"])[: len(loc)] == loc]
        return error["type"] == "too_short" and len(inside) > 1

    return [e for e in errors if not echoes(e)] or errors


def _describe(
    error: ErrorDetails, raw: Mapping[str, Any], sources: Mapping[Location, str]
) -> str:
    loc = _without_tags(tuple(error["loc"]))
    if error["type"].startswith("union_tag"):
        loc += ("type",)
    where = sources.get(loc) or _where(loc, raw, error["type"])
    secret = bool(loc) and loc[-1] in _SECRET_KEYS
    return f"{where}: {_problem(error, secret=secret)}"


def _without_tags(loc: Location) -> Location:
    # A [[channels]] error's location holds the type pydantic chose the table by.
    if len(loc) > 2 and loc[0] == "channels" and loc[2] in _CHANNEL_TAGS:
        return loc[:2] + loc[3:]
    return loc


def _where(loc: Location, raw: Mapping[str, Any], kind: str) -> str:
    path = list(loc)
    while path and isinstance(path[-1], int) and len(path) > 2:
        path.pop()  # an item of a list: name the list
    if not path:
        return "mofawatch.toml"
    if path[0] in ("channels", "rules"):
        return _array_where(path, raw)
    keys = [str(p) for p in path]
    if len(keys) == 1:
        return keys[0] if kind == "extra_forbidden" else f"[{keys[0]}]"
    return f"[{'.'.join(keys[:-1])}] {keys[-1]}"


def _array_where(path: Sequence[str | int], raw: Mapping[str, Any]) -> str:
    array = str(path[0])
    if len(path) < 2 or not isinstance(path[1], int):
        return f"[[{array}]]"
    index = path[1]
    if array == "rules":
        table = f"[rules.{index + 1}]"
    else:
        name = _channel_name(raw, index)
        table = f"[channels.{name}]" if name else f"[[channels]] #{index + 1}"
    rest = [str(p) for p in path[2:] if not isinstance(p, int)]
    return f"{table} {rest[0]}" if rest else table


def _channel_name(raw: Mapping[str, Any], index: int) -> str | None:
    channels = raw.get("channels")
    if not isinstance(channels, list) or index >= len(channels):
        return None
    entry = channels[index]
    name = entry.get("name") if isinstance(entry, Mapping) else None
    return name if isinstance(name, str) and name.isprintable() and name else None


def _problem(error: ErrorDetails, *, secret: bool) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    got = "" if secret else f", got {_toml(error.get('input'))}"
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return "unknown key"
    if kind in ("missing", "union_tag_not_found"):
        return "missing"
    if kind == "union_tag_invalid":
        tag = "" if secret else f", got {_toml(ctx['tag'])}"
        return f"expected one of {_quoted(ctx['expected_tags'])}{tag}"
    if kind in ("enum", "literal_error"):
        return f"expected one of {_quoted(ctx['expected'])}{got}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}{got}"
    if kind in _LIMITS:
        name, words = _LIMITS[kind]
        return f"must be {words} {ctx[name]}{got}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind == "value_error":
        return str(ctx["error"])
    return str(error["msg"])


def _quoted(expected: str) -> str:
    return expected.replace("'", '"')


def _printable(char: str) -> str:
    # Escape ESC, C1 controls and the like: the line ends up on a terminal.
    if char in '"\\':
        return "\\" + char
    return char if char.isprintable() else f"\\u{ord(char):04x}"


def _toml(value: Any) -> str:
    """A value as the file would write it, short, with control characters escaped."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return '"' + "".join(map(_printable, shown)) + '"'
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, dt.date | dt.time):
        return f"the unquoted date/time {value.isoformat()}"
    return type(value).__name__
