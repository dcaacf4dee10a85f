"""Every scalar key of every table is strict: no value is converted from another type.

The walk finds the fields itself, so a key added later without a strict type fails here.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

import monitor.config.channels
import monitor.config.schema
import monitor.config.settings  # noqa: F401
from crawler.contract import RevisitPolicy
from monitor.config.base import Table

# What pydantic's lax mode would turn into each type, and must not.
CONVERTIBLE: dict[type, list[Any]] = {
    bool: ["true", "false", 1, 0],
    int: ["1", 1.0, True],
    float: ["1.5", True],
    str: [1, 1.5, True],
}
REQUIRED: dict[str, dict[str, Any]] = {
    "ChannelSettings": {"name": "c", "type": "console"},
    "RuleSettings": {"channels": ["c"]},
    "EmailChannel": {"name": "e", "type": "email", "to": ["x@y"]},
    "SlackChannel": {"name": "s", "type": "slack"},
    "WebhookChannel": {"name": "w", "type": "webhook"},
    "ConsoleChannel": {"name": "k", "type": "console"},
}


def _tables() -> list[type[Table]]:
    # Every module that defines tables is imported above, so all subclasses exist.
    found, todo = [], list(Table.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if not cls.__name__.startswith("_"):
            found.append(cls)
    return sorted(found, key=lambda c: c.__name__)


def _scalar(annotation: Any) -> type | None:
    """bool, int, float or str for `T` and `T | None`; None for anything else."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _scalar(typing.get_args(annotation)[0])
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is (
        typing.Union
    ):
        inner = [a for a in args if a is not type(None)]
        return _scalar(inner[0]) if len(inner) == 1 else None
    return annotation if annotation in CONVERTIBLE else None


def _bad_values(annotation: Any) -> list[Any]:
    """Values of the wrong type that lax validation would accept for this field."""
    kind = _scalar(annotation)
    if kind is not None:
        return CONVERTIBLE[kind]
    if typing.get_origin(annotation) is tuple:  # a list of strings: its items
        item = _scalar(typing.get_args(annotation)[0])
        return [[bad] for bad in CONVERTIBLE[item]] if item is not None else []
    return []


def _cases() -> list[tuple[str, str, Any]]:
    cases = []
    for table in _tables():
        fields: dict[str, FieldInfo] = table.model_fields
        for name, info in fields.items():
            cases += [(table.__name__, name, v) for v in _bad_values(info.annotation)]
    for name, info in RevisitPolicy.__pydantic_fields__.items():  # type: ignore[attr-defined]
        cases += [("RevisitPolicy", name, v) for v in _bad_values(info.annotation)]
    return cases


CASES = _cases()
TABLES = {t.__name__: t for t in _tables()}


def test_the_walk_sees_every_table_and_their_keys():
    assert {
        "SiteSettings",
        "ScheduleSettings",
        "RuleSettings",
        "OpsSettings",
        "AlertSettings",
        "DatabaseTable",
        "RetentionTable",
        "EmailChannel",
        "SlackChannel",
        "WebhookChannel",
        "ConsoleChannel",
        "ChannelSettings",
        "Settings",
        "ConfigFile",
    } <= set(TABLES)
    assert len({(t, f) for t, f, _ in CASES}) >= 40  # 34 scalars, 10 lists today


@pytest.mark.parametrize(("table", "field", "bad"), CASES)
def test_no_scalar_value_is_converted(table, field, bad):
    values = {**REQUIRED.get(table, {}), field: bad}
    validate = (
        TypeAdapter(RevisitPolicy).validate_python
        if table == "RevisitPolicy"
        else TABLES[table].model_validate
    )
    with pytest.raises(ValidationError) as info:
        validate(values)
    assert any(e["loc"][:1] == (field,) for e in info.value.errors()), info.value
