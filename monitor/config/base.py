"""The base every table of mofawatch.toml is validated with, and the field types they
share.

Strict where TOML has a type: "false" is a string, not a boolean, and 1.5 is not an
integer. What is converted: a TOML array to a tuple, a string naming an enum member to
the member, a table to its model. The strictness sits on each scalar type below (not on
the model), so that code may still pass "email" for a ChannelType; every scalar field of
a table must use one of them (tests/unit/test_config_strict.py walks them all).
"""

from __future__ import annotations

import enum
import re
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

E = TypeVar("E", bound=enum.Enum)


class Table(BaseModel):
    """One table of the file, or a value built from one: immutable, unknown keys
    refused.

    Python code passes field names (`sender=`); the file is read by alias only (`from`),
    so that a runtime field name is an unknown key there.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
    )


def _unique(values: tuple[E, ...]) -> tuple[E, ...]:
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} listed twice")
    return values


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env_name(name: str) -> str:
    if not _ENV_NAME.match(name):
        raise ValueError(f"not a variable name: {name!r}")
    return name


Flag = Annotated[bool, Strict()]
Integer = Annotated[int, Strict()]
Number = Annotated[float, Strict()]  # an integer is a number too
Text = Annotated[str, Strict(), Field(min_length=1)]
EnvName = Annotated[str, Strict(), AfterValidator(_env_name)]
Texts = tuple[Text, ...]
Count = Annotated[Integer, Field(ge=0)]
Positive = Annotated[Integer, Field(ge=1)]
Seconds = Annotated[Number, Field(ge=0)]
UniqueChoices = Annotated[tuple[E, ...], Field(min_length=1), AfterValidator(_unique)]
