"""Option types shared by several commands; a bad value is click's usage error (2)."""

from __future__ import annotations

from datetime import date
from typing import Any

import click


class IsoDate(click.ParamType[date]):
    """A calendar day written YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"must be YYYY-MM-DD, got {value!r}", param, ctx)


ISO_DATE = IsoDate()
