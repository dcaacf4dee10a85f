"""Query parameters read strictly: a bad one is a 400 page naming it."""

from __future__ import annotations

import enum
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

E = TypeVar("E", bound=enum.StrEnum)
MAX_TEXT = 200


class BadParameter(BadRequest):
    """A query parameter that cannot be used; the page says which and why."""


def check_known(args: MultiDict[str, str], known: Collection[str]) -> None:
    unknown = sorted(set(args) - set(known))
    if unknown:
        raise BadParameter(f"unknown parameter {unknown[0]!r}")


def values(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    """Every non-empty value of `name` (forms send empty fields)."""
    return tuple(v.strip() for v in args.getlist(name) if v.strip())


def one(args: MultiDict[str, str], name: str) -> str | None:
    found = values(args, name)
    if len(found) > 1:
        raise BadParameter(f"{name}: give one value, not {len(found)}")
    if found and len(found[0]) > MAX_TEXT:
        raise BadParameter(f"{name}: longer than {MAX_TEXT} characters")
    return found[0] if found else None


def choices(args: MultiDict[str, str], name: str, kind: type[E]) -> tuple[E, ...]:
    """The values of `name`, each one of the enum's."""
    out = []
    for value in values(args, name):
        try:
            out.append(kind(value))
        except ValueError:
            allowed = ", ".join(kind)
            raise BadParameter(f"{name}: {value!r} is not one of {allowed}") from None
    return tuple(out)


def positive(args: MultiDict[str, str], name: str) -> int | None:
    value = one(args, name)
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1 or len(value) > 18:
        raise BadParameter(f"{name}: must be a positive whole number, got {value!r}")
    return int(value)


def day(args: MultiDict[str, str], name: str, *, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD date as the UTC moment it starts (with `end`: the next day's)."""
    value = one(args, name)
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            f"{name}: must be a date YYYY-MM-DD, got {value!r}"
        ) from None
    moment = datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
    return moment + timedelta(days=1) if end else moment
